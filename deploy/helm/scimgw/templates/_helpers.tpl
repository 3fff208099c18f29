{{/* Names and labels. */}}
{{- define "scimgw.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "scimgw.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "scimgw.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "scimgw.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "scimgw.selectorLabels" -}}
app.kubernetes.io/name: {{ include "scimgw.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "scimgw.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "scimgw.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "scimgw.secretName" -}}
{{- .Values.secrets.name | default (printf "%s-secrets" (include "scimgw.fullname" .)) -}}
{{- end -}}

{{/* The configuration: config as given, whole; empty, the embedded store's example. */}}
{{- define "scimgw.config" -}}
{{- if .Values.config -}}
{{- toJson .Values.config -}}
{{- else -}}
{{- $gw := dict "port" 8880 "localhostonly" false "log" (dict "loglevel" (dict "console" "info" "file" "off")) "auth" (dict "basic" (list (dict "username" "gwadmin" "password" "process.text./run/secrets/gw_password"))) -}}
{{- toJson (dict "scimgateway" $gw "endpoint" (dict "persistence" true "directory" "data" "exampleData" false)) -}}
{{- end -}}
{{- end -}}

{{/* The configuration's parts the chart follows. */}}
{{- define "scimgw.gw" -}}
{{- $config := include "scimgw.config" . | fromJson -}}
{{- toJson ($config.scimgateway | default dict) -}}
{{- end -}}

{{- define "scimgw.port" -}}
{{- $gw := include "scimgw.gw" . | fromJson -}}
{{- $gw.port | default 8880 | int -}}
{{- end -}}

{{- define "scimgw.servicePort" -}}
{{- .Values.service.port | default (include "scimgw.port" .) | int -}}
{{- end -}}

{{/* "true" when the gateway serves HTTPS (a certificate or a PKCS#12 bundle in the configuration). */}}
{{- define "scimgw.https" -}}
{{- $gw := include "scimgw.gw" . | fromJson -}}
{{- $cert := $gw.certificate | default dict -}}
{{- if or $cert.key $cert.pfx $gw.pfx }}true{{ end -}}
{{- end -}}

{{/* "true" when the connector is the embedded store: named by config.connector, or else by the file name (as the gateway picks it). */}}
{{- define "scimgw.loki" -}}
{{- $connector := (include "scimgw.config" . | fromJson).connector | default "" -}}
{{- if $connector -}}
{{- if has $connector (list "@scimgw/connector-loki" "connector-loki") }}true{{ end -}}
{{- else if hasPrefix "connector-loki" .Values.configFile }}true{{ end -}}
{{- end -}}

{{/* "true" for the embedded store with persistence (connector-loki's default): one writer, a volume. */}}
{{- define "scimgw.embedded" -}}
{{- $ep := (include "scimgw.config" . | fromJson).endpoint | default dict -}}
{{- if include "scimgw.loki" . -}}
{{- if or (not (hasKey $ep "persistence")) $ep.persistence }}true{{ end -}}
{{- end -}}
{{- end -}}

{{/* The store's directory inside the image's working directory. */}}
{{- define "scimgw.dataPath" -}}
{{- $ep := (include "scimgw.config" . | fromJson).endpoint | default dict -}}
{{- $dir := $ep.directory | default "data" -}}
{{- if hasPrefix "/" $dir }}{{ $dir }}{{ else }}{{ printf "/opt/scimgw/%s" (trimPrefix "./" $dir) }}{{ end -}}
{{- end -}}

{{/* Where file logs go when file logging is on ("" when it is off). */}}
{{- define "scimgw.logPath" -}}
{{- $gw := include "scimgw.gw" . | fromJson -}}
{{- $log := $gw.log | default dict -}}
{{- $level := $log.loglevel | default dict -}}
{{- $file := $level.file | default "off" | toString -}}
{{- if ne $file "off" -}}
{{- $dir := $log.logDirectory | default "logs" -}}
{{- if hasPrefix "/" $dir }}{{ $dir }}{{ else }}{{ printf "/opt/scimgw/%s" (trimPrefix "./" $dir) }}{{ end -}}
{{- end -}}
{{- end -}}

{{/* The secret keys the configuration reads (process.text./run/secrets/<key>), one per line. */}}
{{- define "scimgw.secretKeysRead" -}}
{{- range (regexFindAll "process\\.text\\./run/secrets/[A-Za-z0-9._-]+" (include "scimgw.config" .) -1) | uniq }}
{{ trimPrefix "process.text./run/secrets/" . }}
{{- end -}}
{{- end -}}

{{/* Refuses values that would give a pod that cannot work, naming the value to change. */}}
{{- define "scimgw.validate" -}}
{{- $gw := include "scimgw.gw" . | fromJson -}}
{{- if not (hasSuffix ".json" .Values.configFile) -}}
{{- fail (printf "configFile %q: must be connector-<name>.json" .Values.configFile) -}}
{{- end -}}
{{- if not (hasPrefix "connector-" .Values.configFile) -}}
{{- fail (printf "configFile %q: must be connector-<name>.json (the name picks the connector)" .Values.configFile) -}}
{{- end -}}
{{- if not $gw.port -}}
{{- fail "config.scimgateway.port is required: the port the gateway listens on" -}}
{{- end -}}
{{- if ne (toString (hasKey $gw "localhostonly" | ternary $gw.localhostonly false)) "false" -}}
{{- fail "config.scimgateway.localhostonly must be false: the Service reaches the gateway over the pod's network" -}}
{{- end -}}
{{- $shutdown := ($gw.kubernetes | default dict).shutdownTimeout | default 15 | int -}}
{{- $need := add (int .Values.preStopSeconds) $shutdown 5 -}}
{{- if lt (int .Values.terminationGracePeriodSeconds) (int $need) -}}
{{- fail (printf "terminationGracePeriodSeconds %d is too short: preStopSeconds (%d) + config.scimgateway.kubernetes.shutdownTimeout (%d) + 5 s to spare = %d" (int .Values.terminationGracePeriodSeconds) (int .Values.preStopSeconds) $shutdown (int $need)) -}}
{{- end -}}
{{- if .Values.secrets.create -}}
{{- range (include "scimgw.secretKeysRead" . | trim | splitList "\n" | compact) -}}
{{- if not (hasKey $.Values.secrets.values .) -}}
{{- fail (printf "secrets.values.%s is missing: config reads process.text./run/secrets/%s" . .) -}}
{{- end -}}
{{- end -}}
{{- if and $.Values.secrets.seedKey (not (hasKey $.Values.secrets.values $.Values.secrets.seedKey)) -}}
{{- fail (printf "secrets.values.%s is missing: it is the SEED (secrets.seedKey); set secrets.seedKey to \"\" for none" $.Values.secrets.seedKey) -}}
{{- end -}}
{{- end -}}
{{- if and (include "scimgw.loki" .) (not (include "scimgw.embedded" .)) (or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1)) -}}
{{- fail "replicaCount: the embedded store without persistence keeps its data in the pod's memory, so each replica would serve its own: set replicaCount to 1 (and autoscaling.enabled false), or persistence true" -}}
{{- end -}}
{{- if and (include "scimgw.embedded" .) .Values.autoscaling.enabled -}}
{{- fail "autoscaling.enabled: the embedded store has one writer and runs one pod; autoscale a stateless connector instead" -}}
{{- end -}}
{{- if and .Values.ingress.enabled (not .Values.ingress.hosts) -}}
{{- fail "ingress.hosts: name at least one host when ingress.enabled is true" -}}
{{- end -}}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.serviceMonitor.basicAuth.secretName) -}}
{{- fail "metrics.serviceMonitor.basicAuth.secretName: /metrics takes the credentials /logger takes; name a Secret with a read-only user's username and password" -}}
{{- end -}}
{{- end -}}

{{/* The helm test's script: /healthz and /readyz through the Service answer 200, else exit 1. */}}
{{- define "scimgw.probeScript" -}}
(async () => { for (const p of ['/healthz', '/readyz']) { const r = await fetch(process.env.SCIMGW_URL + p); console.log(p, r.status); if (r.status !== 200) process.exit(1); } })().catch((e) => { console.error(e.message); process.exit(1); });
{{- end -}}
