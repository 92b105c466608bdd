output "secret_arn" {
  description = "ARN of the service's secret."
  value       = aws_secretsmanager_secret.service.arn
}

output "secret_name" {
  description = "Name of the service's secret."
  value       = aws_secretsmanager_secret.service.name
}
