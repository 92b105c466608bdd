output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "alias_name" {
  description = "Alias API Gateway invokes."
  value       = aws_lambda_alias.live.name
}

output "api_endpoint" {
  description = "Public URL of the service."
  value       = aws_apigatewayv2_api.this.api_endpoint
}

output "log_group_name" {
  description = "Log group of the function (its standard output)."
  value       = aws_cloudwatch_log_group.function.name
}

output "log_group_arn" {
  description = "Log group of the function."
  value       = aws_cloudwatch_log_group.function.arn
}

output "alarm_names" {
  description = "KPI alarms a canary watches."
  value       = [aws_cloudwatch_metric_alarm.latency.alarm_name, aws_cloudwatch_metric_alarm.errors.alarm_name]
}

output "alarm_arns" {
  description = "ARNs of the KPI alarms."
  value       = [aws_cloudwatch_metric_alarm.latency.arn, aws_cloudwatch_metric_alarm.errors.arn]
}
