{{- define "tpld.name" -}}orig{{- end -}}
