# The service's secret: one JSON object whose keys are the environment variables the service
# reads (e.g. API_KEY_SHA256). Terraform creates the container only; the values are put with
# `aws secretsmanager put-secret-value` so that they never enter the Terraform state.
resource "aws_secretsmanager_secret" "service" {
  # checkov:skip=CKV2_AWS_57:The values are third-party API keys and key digests rotated at their issuer (docs/deploy.md); no rotation Lambda can do that.
  name                    = "${var.name}/service"
  description             = "Environment of the service: ${join(", ", var.keys)}"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = 30
}
