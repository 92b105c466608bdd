# The service as an AWS Lambda container image behind an API Gateway HTTP API. The image is the
# service's own image plus the AWS Lambda Web Adapter extension (deploy/serverless/Dockerfile.lambda):
# the FastAPI app serves HTTP unchanged. CI publishes new versions and moves the `live` alias;
# Terraform owns everything else.
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  function_arn_pattern = "arn:${data.aws_partition.current.partition}:lambda:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:function:${var.name}"
  # API Gateway HTTP APIs wait at most 30 s for an integration.
  integration_timeout_ms = min(30000, var.timeout_seconds * 1000)
}

resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

# Lambda pulls the image with its own service principal, for this function only.
resource "aws_ecr_repository_policy" "lambda_pull" {
  repository = var.repository_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "LambdaPullsTheServiceImage"
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      Condition = { StringLike = { "aws:sourceArn" = "${local.function_arn_pattern}*" } }
    }]
  })
}

resource "aws_lambda_function" "this" {
  # checkov:skip=CKV_AWS_116:Invoked synchronously by API Gateway; a dead-letter queue only applies to asynchronous invocations.
  # checkov:skip=CKV_AWS_117:The service reaches only public model APIs and AWS endpoints; a VPC would add a NAT gateway and no private resource to reach.
  # checkov:skip=CKV_AWS_272:Lambda code signing does not apply to container images; images are immutable, scanned on push and deployed by digest.
  function_name                  = var.name
  description                    = "The service behind API Gateway (AWS Lambda Web Adapter)"
  package_type                   = "Image"
  image_uri                      = var.image_uri
  role                           = var.role_arn
  memory_size                    = var.memory_mb
  timeout                        = var.timeout_seconds
  reserved_concurrent_executions = var.reserved_concurrency
  kms_key_arn                    = var.kms_key_arn
  publish                        = true

  # The image's own command line (`serve ...`) runs behind this entry point.
  image_config {
    entry_point = var.entry_point
  }

  environment {
    variables = var.environment
  }

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.function.name
  }

  # CI ships new images with `aws lambda update-function-code` and moves the alias.
  lifecycle {
    ignore_changes = [image_uri]
  }

  depends_on = [aws_ecr_repository_policy.lambda_pull]
}

resource "aws_lambda_alias" "live" {
  name             = "live"
  description      = "The version API Gateway serves"
  function_name    = aws_lambda_function.this.function_name
  function_version = aws_lambda_function.this.version

  lifecycle {
    ignore_changes = [function_version, routing_config]
  }
}

# Warm instances from the availability objective (no cold start on the first requests).
resource "aws_lambda_provisioned_concurrency_config" "live" {
  count                             = var.provisioned_concurrency > 0 ? 1 : 0
  function_name                     = aws_lambda_alias.live.function_name
  qualifier                         = aws_lambda_alias.live.name
  provisioned_concurrent_executions = var.provisioned_concurrency
}

# ------------------------------------------------------------------ HTTP API
resource "aws_apigatewayv2_api" "this" {
  name          = var.name
  protocol_type = "HTTP"
  description   = "Public endpoint of the service; the service authenticates every non-health route"
}

resource "aws_apigatewayv2_integration" "lambda" {
  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_alias.live.invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = local.integration_timeout_ms
}

resource "aws_apigatewayv2_route" "default" {
  # checkov:skip=CKV_AWS_309:The service itself requires an API key on every route but the health probes (tests/test_auth.py); API Gateway passes the header through.
  api_id    = aws_apigatewayv2_api.this.id
  route_key = "$default"
  target    = "integrations/${aws_apigatewayv2_integration.lambda.id}"
}

resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/apigateway/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_burst_limit   = var.throttling_burst_limit
    throttling_rate_limit    = var.throttling_rate_limit
    detailed_metrics_enabled = true
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    format = jsonencode({
      requestId        = "$context.requestId"
      ip               = "$context.identity.sourceIp"
      requestTime      = "$context.requestTime"
      httpMethod       = "$context.httpMethod"
      routeKey         = "$context.routeKey"
      status           = "$context.status"
      responseLength   = "$context.responseLength"
      integrationError = "$context.integrationErrorMessage"
      latencyMs        = "$context.responseLatency"
    })
  }
}

resource "aws_lambda_permission" "api_gateway" {
  statement_id  = "AllowApiGatewayInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  qualifier     = aws_lambda_alias.live.name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/*/*"
}

# ------------------------------------------------------------------ KPI alarms
# The objectives as CloudWatch alarms on what clients see (API Gateway): p95 latency above the
# objective, and an error ratio that burns the error budget fast. CI's canary watches them and
# rolls back when one fires (scripts/deploy/lambda.sh).
resource "aws_cloudwatch_metric_alarm" "latency" {
  alarm_name          = "${var.name}-latency-p95"
  alarm_description   = "p95 latency above the objective of ${var.latency_objective_ms} ms"
  namespace           = "AWS/ApiGateway"
  metric_name         = "Latency"
  extended_statistic  = "p95"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.latency_objective_ms
  treat_missing_data  = "notBreaching"
  dimensions = {
    ApiId = aws_apigatewayv2_api.this.id
    Stage = aws_apigatewayv2_stage.default.name
  }
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "${var.name}-error-budget-burn"
  alarm_description   = "More than ${var.error_ratio_threshold * 100} % of requests fail (fast error-budget burn)"
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.error_ratio_threshold
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "ratio"
    expression  = "IF(requests > 0, failed / requests, 0)"
    label       = "5xx ratio"
    return_data = true
  }

  metric_query {
    id = "failed"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "5xx"
      period      = 300
      stat        = "Sum"
      dimensions = {
        ApiId = aws_apigatewayv2_api.this.id
        Stage = aws_apigatewayv2_stage.default.name
      }
    }
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "Count"
      period      = 300
      stat        = "Sum"
      dimensions = {
        ApiId = aws_apigatewayv2_api.this.id
        Stage = aws_apigatewayv2_stage.default.name
      }
    }
  }
}
