# CI signs in with its OIDC token (no stored keys): the role trusts the CI issuer for one
# audience and the exact subjects of this repository's deployment jobs.
locals {
  issuer_host  = trimprefix(var.issuer_url, "https://")
  provider_arn = var.create_provider ? aws_iam_openid_connect_provider.this[0].arn : data.aws_iam_openid_connect_provider.existing[0].arn
}

# One provider per issuer and account: the first environment in an account creates it.
resource "aws_iam_openid_connect_provider" "this" {
  count          = var.create_provider ? 1 : 0
  url            = var.issuer_url
  client_id_list = [var.audience]
}

data "aws_iam_openid_connect_provider" "existing" {
  count = var.create_provider ? 0 : 1
  url   = var.issuer_url
}

resource "aws_iam_role" "ci" {
  name                 = var.name
  description          = "Assumed by CI through OIDC for ${join(", ", var.subjects)}"
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = local.provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.issuer_host}:aud" = var.audience
          "${local.issuer_host}:sub" = var.subjects
        }
      }
    }]
  })
}

resource "aws_iam_role_policy" "ci" {
  name   = "deploy"
  role   = aws_iam_role.ci.id
  policy = var.policy_json
}
