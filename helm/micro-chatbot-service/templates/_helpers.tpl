{{/* Chart name. */}}
{{- define "chatbot.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name: "micro-chatbot-service" unless overridden (one release per namespace). */}}
{{- define "chatbot.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- include "chatbot.name" . }}
{{- end }}
{{- end }}

{{- define "chatbot.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chatbot.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "chatbot.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "chatbot.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "chatbot.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "chatbot.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The secret keys the service reads, in a fixed order. */}}
{{- define "chatbot.secretKeys" -}}
DB_PASSWORD REDIS_URL CHATBOT_LLM_API_KEY CHATBOT_CURSOR_SECRET{{ if eq .Values.events.transport "kafka" }} KAFKA_SASL_JAAS_CONFIG{{ end }}
{{- end }}

{{/* "true" when values.secrets.values holds at least one non-empty secret. */}}
{{- define "chatbot.hasSecretValues" -}}
{{- $found := false }}
{{- range $k, $v := .Values.secrets.values }}
{{- if $v }}{{- $found = true }}{{- end }}
{{- end }}
{{- if $found }}true{{- end }}
{{- end }}

{{/* Name of the Secret the pods read, or "" when there is none. */}}
{{- define "chatbot.secretName" -}}
{{- if and .Values.secrets.existingSecret (include "chatbot.hasSecretValues" .) }}
{{- fail "secrets: set either secrets.existingSecret or secrets.values, not both" }}
{{- end }}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else if include "chatbot.hasSecretValues" . }}
{{- include "chatbot.fullname" . }}-secrets
{{- end }}
{{- end }}

{{/* Replicas sharing the rate limits. */}}
{{- define "chatbot.rateLimitReplicas" -}}
{{- if .Values.rateLimit.replicas }}
{{- .Values.rateLimit.replicas }}
{{- else if .Values.hpa.enabled }}
{{- .Values.hpa.minReplicas }}
{{- else }}
{{- .Values.replicas }}
{{- end }}
{{- end }}

{{/* Seconds a sidecar stays up after SIGTERM: the pod's grace period less a 5 s margin. */}}
{{- define "chatbot.proxyDrainSeconds" -}}
{{- sub (int .Values.terminationGracePeriodSeconds) 5 }}
{{- end }}

{{/* Istio principal of a {namespace, serviceAccount}. */}}
{{- define "chatbot.istioPrincipal" -}}
{{- printf "%s/ns/%s/sa/%s" .trustDomain .ref.namespace .ref.serviceAccount }}
{{- end }}

{{/* A Service-parented Linkerd/Gateway API route's parentRefs and backendRefs. */}}
{{- define "chatbot.serviceParentRefs" -}}
parentRefs:
  - group: core
    kind: Service
    name: {{ include "chatbot.fullname" . }}
    port: {{ .Values.service.port }}
{{- end }}

{{- define "chatbot.serviceBackendRefs" -}}
backendRefs:
  - name: {{ include "chatbot.fullname" . }}
    port: {{ .Values.service.port }}
{{- end }}

{{- define "chatbot.serverParentRefs" -}}
parentRefs:
  - group: policy.linkerd.io
    kind: Server
    name: {{ include "chatbot.fullname" . }}-http
{{- end }}

{{/* The turn route's path, as a regular expression (Istio and Linkerd match it against the whole path). */}}
{{- define "chatbot.turnPathRegex" -}}
/api/v1/conversations/[^/]+/messages
{{- end }}

{{/* The path of a turn's events (GET: follow it, SSE), as a regular expression; {messageId} or "current". */}}
{{- define "chatbot.turnEventsPathRegex" -}}
/api/v1/conversations/[^/]+/turns/[^/]+/events
{{- end }}

{{/* The gRPC service's path prefix: its methods are POST /microchatbot.v1.ChatService/<Method>. */}}
{{- define "chatbot.grpcPrefix" -}}
/microchatbot.v1.ChatService/
{{- end }}

{{/* gRPC methods that only read (or delete, idempotently): retried like REST GET/DELETE. */}}
{{- define "chatbot.grpcReads" -}}
GetConversation ListConversations DeleteConversation ListMessages GetMessage
{{- end }}
