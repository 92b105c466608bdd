output "role_arn" {
  description = "ARN of the role CI assumes."
  value       = aws_iam_role.ci.arn
}

output "role_name" {
  description = "Name of the role CI assumes."
  value       = aws_iam_role.ci.name
}
