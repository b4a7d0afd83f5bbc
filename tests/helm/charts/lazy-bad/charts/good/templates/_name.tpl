{{- define "good.name" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end -}}
