output "cluster_name" {
  description = "Name of the cluster."
  value       = aws_eks_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the cluster."
  value       = aws_eks_cluster.this.arn
}

output "cluster_endpoint" {
  description = "API endpoint of the cluster."
  value       = aws_eks_cluster.this.endpoint
}

output "application_log_group" {
  description = "Log group of the containers' standard output (Container Insights)."
  value       = aws_cloudwatch_log_group.container_insights["application"].name
}
