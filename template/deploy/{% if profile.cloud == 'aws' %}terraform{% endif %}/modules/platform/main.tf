# Everything one environment of the service needs on AWS. The environment roots
# (environments/<env>/) call this module with their own settings and state.
data "aws_caller_identity" "current" {}

locals {
  name       = "${var.name}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
}

module "kms" {
  source = "../kms"
  name   = local.name
}

# DVC remote and MLflow artefact store.
module "artifacts" {
  source                  = "../storage"
  bucket_name             = "${local.name}-artifacts-${local.account_id}"
  kms_key_arn             = module.kms.key_arn
  noncurrent_version_days = var.artifact_version_retention_days
  log_retention_days      = var.log_retention_days
}

module "registry" {
  source              = "../registry"
  name                = local.name
  kms_key_arn         = module.kms.key_arn
  pull_principal_arns = var.promotion_reader_role_arns
  pull_actions        = local.image_read_actions
}

# ------------------------------------------------------------------ permissions
locals {
  # What the running service may do, whatever runs it (read models, decrypt, read its secret).
  runtime_statements = concat(
    [
      {
        Sid      = "ListArtifacts"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [module.artifacts.bucket_arn]
      },
      {
        Sid      = "ReadArtifacts"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["${module.artifacts.bucket_arn}/*"]
      },
      {
        Sid      = "DecryptWithTheEnvironmentKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [module.kms.key_arn]
      },
    ],
    local.secret_statements,
    local.platform_runtime_statements,
  )

  # What CI may do: push images, read and write artefacts (DVC, MLflow), deploy the service.
  ci_statements = concat(
    [
      {
        Sid      = "SignInToTheRegistry"
        Effect   = "Allow"
        Action   = ["ecr:GetAuthorizationToken"]
        Resource = ["*"]
      },
      {
        Sid    = "PushTheServiceImage"
        Effect = "Allow"
        Action = [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:CompleteLayerUpload",
          "ecr:DescribeImages",
          "ecr:GetDownloadUrlForLayer",
          "ecr:InitiateLayerUpload",
          "ecr:PutImage",
          "ecr:UploadLayerPart",
        ]
        Resource = [module.registry.repository_arn]
      },
      {
        Sid      = "ListArtifacts"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [module.artifacts.bucket_arn]
      },
      {
        Sid      = "ReadWriteArtifacts"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = ["${module.artifacts.bucket_arn}/*"]
      },
      {
        Sid      = "UseTheEnvironmentKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
        Resource = [module.kms.key_arn]
      },
    ],
    local.platform_ci_statements,
    local.promotion_ci_statements,
  )
}

module "ci" {
  source          = "../ci_oidc"
  name            = "${local.name}-ci"
  issuer_url      = var.ci_issuer_url
  subjects        = local.ci_subjects
  create_provider = var.create_ci_oidc_provider
  policy_json     = jsonencode({ Version = "2012-10-17", Statement = local.ci_statements })
}
