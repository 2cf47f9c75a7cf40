# Terraform an assistant wrote: two keys that never expire and a key committed in a provider block.
provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAIOSFODNN7EXAMPLE" # a documented fake key
}

resource "aws_iam_user" "ci" {
  name = "ci"
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}

resource "google_service_account_key" "deployer" {
  service_account_id = "deployer"
}
