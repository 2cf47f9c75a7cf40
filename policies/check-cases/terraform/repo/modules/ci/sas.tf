data "azurerm_storage_account_sas" "forever" {
  connection_string = var.connection_string
  https_only        = true
  start             = "2026-01-01T00:00:00Z"
  permissions {
    read = true
  }
}

data "azurerm_storage_account_sas" "one_day" {
  connection_string = var.connection_string
  https_only        = true
  start             = "2026-01-01T00:00:00Z"
  expiry            = "2026-01-02T00:00:00Z"
  permissions {
    read = true
  }
}
