{{/*
Names and labels shared by every template of this chart. Helper names carry the fixed prefix
"app." so that templates read the same in every generated project.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name: fullnameOverride, or the release name (plus the chart name when
the release name does not contain it). At most 63 characters (DNS label). */}}
{{- define "app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart name and version, for the helm.sh/chart label. */}}
{{- define "app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "app.labels" -}}
helm.sh/chart: {{ include "app.chart" . }}
{{ include "app.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: {{ include "app.name" . }}
{{- end }}

{{/* Labels that select the service's pods (Deployment, Rollout, Service, PDB, NetworkPolicy,
ServiceMonitor). Never change them on a running release: selectors are immutable. */}}
{{- define "app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: api
{{- end }}

{{/* The service account of the API pods. */}}
{{- define "app.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "app.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The API image: repository@digest when a digest is given (what CI deploys), else
repository:tag (tag defaults to the chart's appVersion). */}}
{{- define "app.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* The workload the HPA scales and Argo Rollouts manages. */}}
{{- define "app.workloadKind" -}}
{{- if .Values.rollout.enabled }}Rollout{{ else }}Deployment{{ end }}
{{- end }}

{{/* The self-hosted model runtime (vLLM, Ollama or TGI), when the chart deploys one. */}}
{{- define "app.runtimeFullname" -}}
{{- printf "%s-%s" (include "app.fullname" .) .Values.runtime.name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "app.runtimeSelectorLabels" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: model-runtime
{{- end }}

{{- define "app.runtimeLabels" -}}
helm.sh/chart: {{ include "app.chart" . }}
{{ include "app.runtimeSelectorLabels" . }}
app.kubernetes.io/version: {{ .Values.runtime.image.tag | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: {{ include "app.name" . }}
{{- end }}

{{/* OpenAI-compatible endpoint of the in-cluster runtime, given to the API as LLM_BASE_URL. */}}
{{- define "app.runtimeBaseUrl" -}}
{{- printf "http://%s.%s.svc:%v/v1" (include "app.runtimeFullname" .) .Release.Namespace .Values.runtime.port }}
{{- end }}

{{/* Pod security context shared by every pod of the chart (restricted Pod Security Standard). */}}
{{- define "app.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.runAsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container security context shared by every container of the chart. */}}
{{- define "app.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end }}
