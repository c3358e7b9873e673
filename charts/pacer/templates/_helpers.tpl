{{/* Chart name, truncated to 63 characters. */}}
{{- define "pacer.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name. */}}
{{- define "pacer.fullname" -}}
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

{{/* The operator image: image.tag, or the chart's appVersion when the tag is empty (the default), so a chart
release installs the image of the same version (VERSION file; hack/check-version.py). */}}
{{- define "pacer.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{- define "pacer.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "pacer.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "pacer.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pacer.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "pacer.postgresql.selectorLabels" -}}
app.kubernetes.io/name: {{ include "pacer.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: postgresql
{{- end }}

{{- define "pacer.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "pacer.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "pacer.postgresql.fullname" -}}
{{- printf "%s-postgresql" (include "pacer.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Secret holding PACER_DATABASE_URL, and its key. */}}
{{- define "pacer.database.secretName" -}}
{{- if and (not .Values.postgresql.enabled) .Values.externalDatabase.existingSecret }}
{{- .Values.externalDatabase.existingSecret }}
{{- else }}
{{- printf "%s-database" (include "pacer.fullname" .) }}
{{- end }}
{{- end }}

{{- define "pacer.database.secretKey" -}}
{{- if and (not .Values.postgresql.enabled) .Values.externalDatabase.existingSecret }}
{{- .Values.externalDatabase.existingSecretKey }}
{{- else }}url{{- end }}
{{- end }}

{{- define "pacer.ingest.secretName" -}}
{{- default (printf "%s-ingest" (include "pacer.fullname" .)) .Values.ingest.existingSecret }}
{{- end }}

{{- define "pacer.ingest.secretKey" -}}
{{- if .Values.ingest.existingSecret }}{{ .Values.ingest.existingSecretKey }}{{ else }}token{{ end }}
{{- end }}

{{/* Namespaces the operator watches: watchNamespaces plus the release namespace (empty list: all). */}}
{{- define "pacer.watchNamespaces" -}}
{{- if .Values.watchNamespaces }}
{{- append .Values.watchNamespaces .Release.Namespace | uniq | toJson }}
{{- else }}[]{{- end }}
{{- end }}

{{/* Agent mode (agent.forwardTo set): only the workload source, forwarding to a central Pacer; "true" or "". */}}
{{- define "pacer.agent" -}}
{{- if .Values.agent.forwardTo }}true{{ end }}
{{- end }}

{{/* The leader-election Lease: pacer-agent-leader for an agent (pacer run --forward-to), else pacer-leader. */}}
{{- define "pacer.leaseName" -}}
{{- if include "pacer.agent" . }}pacer-agent-leader{{ else }}pacer-leader{{ end }}
{{- end }}
