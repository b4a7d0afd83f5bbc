{{/*
Expand the name of the chart.
*/}}
{{- define "myapp.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name.
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
If release name contains chart name it will be used as a full name.
*/}}
{{- define "myapp.fullname" -}}
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

{{/*
Create chart name and version as used by the chart label.
*/}}
{{- define "myapp.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Selector labels.  Flagger (v1alpha3) finds the pods of a workload by its
"app" label and gives the primary copy "app: <name>-primary".
*/}}
{{- define "myapp.selectorLabels" -}}
app: {{ include "myapp.fullname" . }}
{{- end }}

{{/*
Common labels
*/}}
{{- define "myapp.labels" -}}
{{ include "myapp.selectorLabels" . }}
helm.sh/chart: {{ include "myapp.chart" . }}
app.kubernetes.io/name: {{ include "myapp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
The autoscaling API: autoscaling/v2 when the cluster serves it, else the
autoscaling/v2beta1 of the original setup.
*/}}
{{- define "myapp.hpaApiVersion" -}}
{{- if .Capabilities.APIVersions.Has "autoscaling/v2" -}}
autoscaling/v2
{{- else -}}
autoscaling/v2beta1
{{- end -}}
{{- end }}

{{/*
URL of the flagger load tester the canary webhooks call.
*/}}
{{- define "myapp.loadtesterUrl" -}}
{{- if .Values.canary.loadtest.url -}}
{{ .Values.canary.loadtest.url }}
{{- else -}}
http://{{ include "myapp.fullname" . }}-loadtester.{{ .Release.Namespace }}/
{{- end -}}
{{- end }}
