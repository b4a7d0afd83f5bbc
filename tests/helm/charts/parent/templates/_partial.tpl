{{- define "parent.unused" }}never rendered on its own{{ end }}
