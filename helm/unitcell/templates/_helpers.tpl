{{- define "unitcell.operatorName" -}}
{{- printf "%s-operator" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "unitcell.serviceAccount" -}}
{{- default (include "unitcell.operatorName" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "unitcell.labels" -}}
app.kubernetes.io/name: unitcell-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
