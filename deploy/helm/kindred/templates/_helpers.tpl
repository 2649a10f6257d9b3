{{/* The name of every object the chart makes (a release named kindred makes "kindred"). */}}
{{- define "kindred.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kindred.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: apiserver
{{- end -}}

{{- define "kindred.labels" -}}
{{ include "kindred.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The storage plugins the config uses, as a JSON list (a kind without a backend is on embedded). */}}
{{- define "kindred.plugins" -}}
{{- $plugins := list -}}
{{- if .Values.existingConfigMap -}}
{{- $plugins = .Values.plugins -}}
{{- else -}}
{{- range .Values.config.resources -}}
{{- $plugins = append $plugins (dig "backend" "plugin" "embedded" .) -}}
{{- end -}}
{{- end -}}
{{- $plugins | uniq | sortAlpha | toJson -}}
{{- end -}}

{{/* The served group-versions, as APIService names (<version>.<group>), as a JSON list. */}}
{{- define "kindred.groupVersions" -}}
{{- $gvs := list -}}
{{- if .Values.existingConfigMap -}}
{{- $gvs = .Values.groupVersions -}}
{{- else -}}
{{- range .Values.config.resources -}}
{{- $group := .group -}}
{{- range .versions -}}
{{- if .served -}}
{{- $gvs = append $gvs (printf "%s.%s" .name $group) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $gvs | uniq | sortAlpha | toJson -}}
{{- end -}}

{{/* "true" when a kind lives in one process's memory or disk: such a config runs as one pod. */}}
{{- define "kindred.processLocal" -}}
{{- $plugins := include "kindred.plugins" . | fromJsonArray -}}
{{- if or (has "embedded" $plugins) (has "memory" $plugins) -}}true{{- end -}}
{{- end -}}

{{- define "kindred.configMapName" -}}
{{- .Values.existingConfigMap | default (printf "%s-config" (include "kindred.fullname" .)) -}}
{{- end -}}
