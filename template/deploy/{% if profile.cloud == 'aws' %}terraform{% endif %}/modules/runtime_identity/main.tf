# The identity the service runs as: assumable only by one AWS service (EKS Pod Identity or
# Lambda), with an inline policy listing exactly the resources the service touches.
resource "aws_iam_role" "this" {
  name                 = var.name
  description          = "Runtime identity of the service"
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = var.trusted_service }
      Action    = var.trust_actions
    }]
  })
}

resource "aws_iam_role_policy" "this" {
  name   = "least-privilege"
  role   = aws_iam_role.this.id
  policy = var.policy_json
}
