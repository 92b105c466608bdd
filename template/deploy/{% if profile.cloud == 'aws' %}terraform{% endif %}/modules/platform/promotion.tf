# Image promotion. Each environment has its own repository and runs only images from it: the
# production deploy copies the digest staging tested from staging's repository into its own
# (scripts/deploy/promote_image.sh). Production's CI role may therefore read -- only read, and
# only that one repository -- staging's repository. The staging identity gets no right on
# production: the less trusted environment never writes into the more trusted one.
variable "promotion_source_repository_arn" {
  description = "ECR repository this environment's CI copies images from (production: staging's repository_arn output); null: none."
  type        = string
  default     = null

  validation {
    condition     = var.promotion_source_repository_arn == null || can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/[a-z0-9._/-]+$", var.promotion_source_repository_arn))
    error_message = "Give the ARN of one ECR repository (arn:aws:ecr:<region>:<account>:repository/<name>)."
  }
}

variable "promotion_reader_role_arns" {
  description = "CI roles of later environments in other AWS accounts that copy images from this repository (staging: production's ci_role_arn). Not needed when they share the account."
  type        = list(string)
  default     = []
}

locals {
  # What pulling one image by digest takes: manifests, layer checks, layer downloads.
  image_read_actions = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
  ]
  promotion_ci_statements = var.promotion_source_repository_arn == null ? [] : [{
    Sid      = "ReadTheImageToPromote"
    Effect   = "Allow"
    Action   = local.image_read_actions
    Resource = [var.promotion_source_repository_arn]
  }]
}
