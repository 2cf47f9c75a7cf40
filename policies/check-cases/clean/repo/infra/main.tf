# Short-lived credentials only: OIDC federation instead of access keys.
resource "aws_iam_openid_connect_provider" "ci" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = file("trust.json")
}
