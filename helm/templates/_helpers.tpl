{{/*
Names. The full name is cut to 52 characters so that "<fullname>-migrate" and the other component
names stay valid DNS labels (63).
*/}}
{{- define "energy-portal.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 52 | trimSuffix "-" }}
{{- end }}

{{- define "energy-portal.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "energy-portal.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of one workload's objects: (list $ "web") -> "<fullname>-web". */}}
{{- define "energy-portal.componentName" -}}
{{- printf "%s-%s" (include "energy-portal.fullname" (index . 0)) (index . 1) }}
{{- end }}

{{/*
Labels. Selector labels never change over the life of a release (they are immutable in a
Deployment); the component label tells web, worker, beat and migrate pods apart.
*/}}
{{- define "energy-portal.selectorLabels" -}}
app.kubernetes.io/name: {{ include "energy-portal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "energy-portal.labels" -}}
helm.sh/chart: {{ include "energy-portal.chart" . }}
{{ include "energy-portal.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: energy-portal
{{- end }}

{{/* (list $ "web") */}}
{{- define "energy-portal.componentSelectorLabels" -}}
{{ include "energy-portal.selectorLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{/* (list $ "web") */}}
{{- define "energy-portal.componentLabels" -}}
{{ include "energy-portal.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "energy-portal.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "energy-portal.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The migration Job runs before the release's normal objects exist, so it has a hook account. */}}
{{- define "energy-portal.migrateServiceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- include "energy-portal.componentName" (list . "migrate") }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "energy-portal.configMapName" -}}
{{- include "energy-portal.componentName" (list . "config") }}
{{- end }}

{{- define "energy-portal.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- include "energy-portal.componentName" (list . "secrets") }}
{{- end }}
{{- end }}

{{/*
The migration Job's own copies of the settings: hooks created just before it and deleted once it
succeeded. The pods read the ordinary ConfigMap and Secret, which Helm only replaces after every
pre-upgrade hook succeeded, so an old pod restarting during a failed upgrade keeps its settings.
*/}}
{{- define "energy-portal.migrateConfigMapName" -}}
{{- include "energy-portal.componentName" (list . "migrate-config") }}
{{- end }}

{{- define "energy-portal.migrateSecretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- include "energy-portal.componentName" (list . "migrate-secrets") }}
{{- end }}
{{- end }}

{{- define "energy-portal.mediaClaimName" -}}
{{- default (include "energy-portal.componentName" (list . "media")) .Values.media.persistence.existingClaim }}
{{- end }}

{{/* The image, tag defaulting to appVersion; a digest pins it further. */}}
{{- define "energy-portal.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag | toString }}
{{- if .Values.image.digest }}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/*
The Secret name for a TLS host: portaal.warmtenet-noord.be -> portaal-warmtenet-noord-be-tls.
Two hosts can map to one name (portal.a-b.be and portal.a.b.be); energy-portal.validate refuses
that, and the operator gives one of them its own secretName.
*/}}
{{- define "energy-portal.tlsSecretName" -}}
{{- printf "%s-tls" (. | replace "." "-" | replace "*" "wildcard") | trunc 253 }}
{{- end }}

{{/*
Checks no schema can express. Every template includes this first, so that the first failure a
render reports is the most basic one (the secrets), whatever order Helm renders templates in.
*/}}
{{- define "energy-portal.validate" -}}
{{- $s := .Values.secrets }}
{{- if not $s.existingSecret }}
{{- if not (and $s.secretKey $s.databaseUrl $s.redisUrl) }}
{{- fail "energy-portal: secrets are required. Set secrets.existingSecret to the name of a Secret you manage (keys SECRET_KEY, DATABASE_URL, REDIS_URL, ...), or set secrets.secretKey, secrets.databaseUrl and secrets.redisUrl so that the chart creates one." }}
{{- end }}
{{- if lt (len $s.secretKey) 32 }}
{{- fail "energy-portal: secrets.secretKey must be at least 32 characters long." }}
{{- end }}
{{- end }}
{{- $platform := required "energy-portal: platformDomain is required (the operator API host, e.g. platform.energy-portal.eu)." .Values.platformDomain }}
{{- $_ := required "energy-portal: email.host is required (the SMTP relay); the application refuses to start without a real one." .Values.email.host }}
{{- if .Values.ingress.enabled }}
{{- $seen := dict }}
{{- range .Values.ingress.hosts }}
{{- if hasKey $seen .host }}
{{- fail (printf "energy-portal: ingress.hosts lists %s twice." .host) }}
{{- end }}
{{- $_ := set $seen .host true }}
{{- end }}
{{- $covered := hasKey $seen $platform }}
{{- range .Values.ingress.wildcard.hosts }}
{{- $suffix := trimPrefix "*" . }}
{{- if and (hasSuffix $suffix $platform) (not (contains "." (trimSuffix $suffix $platform))) }}
{{- $covered = true }}
{{- end }}
{{- end }}
{{- if not $covered }}
{{- fail (printf "energy-portal: ingress.hosts must list the platformDomain %s (or a wildcard host must cover it), or the operator API is unreachable." $platform) }}
{{- end }}
{{- if and .Values.ingress.certManager.clusterIssuer .Values.ingress.certManager.issuer }}
{{- fail "energy-portal: set ingress.certManager.clusterIssuer or ingress.certManager.issuer, not both." }}
{{- end }}
{{- if and .Values.ingress.wildcard.hosts .Values.ingress.wildcard.tls (not .Values.ingress.wildcard.secretName) }}
{{- fail "energy-portal: ingress.wildcard.secretName is required when wildcard hosts use TLS (one Secret shared by all of them)." }}
{{- end }}
{{- /* Each TLS host needs a Secret of its own: two certificates in one Secret overwrite each other. */}}
{{- $tlsOwners := dict }}
{{- if and .Values.ingress.wildcard.hosts .Values.ingress.wildcard.tls }}
{{- $_ := set $tlsOwners .Values.ingress.wildcard.secretName "the wildcard hosts" }}
{{- end }}
{{- range .Values.ingress.hosts }}
{{- if ternary .tls true (hasKey . "tls") }}
{{- $name := default (include "energy-portal.tlsSecretName" .host) .secretName }}
{{- if hasKey $tlsOwners $name }}
{{- fail (printf "energy-portal: ingress.hosts %s and %s would share the TLS Secret %s; give one of them its own secretName." (get $tlsOwners $name) .host $name) }}
{{- end }}
{{- $_ := set $tlsOwners $name .host }}
{{- end }}
{{- end }}
{{- end }}
{{- range $component := list "web" "worker" }}
{{- $a := (index $.Values $component).autoscaling }}
{{- if and $a.enabled (gt (int $a.minReplicas) (int $a.maxReplicas)) }}
{{- fail (printf "energy-portal: %s.autoscaling.minReplicas is larger than maxReplicas." $component) }}
{{- end }}
{{- $pdb := (index $.Values $component).podDisruptionBudget }}
{{- if and $pdb.enabled (eq (kindIs "invalid" $pdb.minAvailable) (kindIs "invalid" $pdb.maxUnavailable)) }}
{{- fail (printf "energy-portal: %s.podDisruptionBudget needs exactly one of minAvailable and maxUnavailable (set the other to null)." $component) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Environment shared by every container: (list $ false) for the pods, (list $ true) for the
migration Job, which reads its hook copies. The ConfigMap, then the Secret's keys one by one (so
that a missing optional key leaves the application's default in place), then extraEnv (which wins).
*/}}
{{- define "energy-portal.env" -}}
{{- $root := index . 0 }}
{{- $job := index . 1 -}}
envFrom:
  - configMapRef:
      name: {{ ternary (include "energy-portal.migrateConfigMapName" $root) (include "energy-portal.configMapName" $root) $job }}
env:
{{- $secret := ternary (include "energy-portal.migrateSecretName" $root) (include "energy-portal.secretName" $root) $job }}
{{- range $key := list "SECRET_KEY" "DATABASE_URL" "REDIS_URL" }}
  - name: {{ $key }}
    valueFrom:
      secretKeyRef:
        name: {{ $secret }}
        key: {{ $key }}
{{- end }}
{{- range $key := list "SECRET_KEY_FALLBACKS" "CELERY_BROKER_URL" "EMAIL_HOST_USER" "EMAIL_HOST_PASSWORD" "SENTRY_DSN" "METRICS_TOKEN" }}
  - name: {{ $key }}
    valueFrom:
      secretKeyRef:
        name: {{ $secret }}
        key: {{ $key }}
        optional: true
{{- end }}
{{- with $root.Values.extraEnv }}
{{ toYaml . | indent 2 }}
{{- end }}
{{- end }}

{{/* Pod annotations: config checksums (pods restart when settings change), then the user's. */}}
{{- define "energy-portal.podAnnotations" -}}
{{- $root := index . 0 }}
{{- $extra := index . 1 -}}
checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
{{- if $root.Values.secrets.existingSecret }}
checksum/secret: {{ $root.Values.secrets.existingSecret | sha256sum }}
{{- else }}
checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
{{- end }}
{{- with (merge (deepCopy $extra) $root.Values.podAnnotations) }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Pod-level settings shared by every pod: (list $ "<service account name>"). */}}
{{- define "energy-portal.podSettings" -}}
{{- $root := index . 0 -}}
serviceAccountName: {{ index . 1 }}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with $root.Values.imagePullSecrets }}
imagePullSecrets:
{{ toYaml . | indent 2 }}
{{- end }}
securityContext:
{{ toYaml $root.Values.podSecurityContext | indent 2 }}
{{- end }}

{{/* Scheduling settings of one workload's values (nodeSelector, tolerations, affinity). */}}
{{- define "energy-portal.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
{{ toYaml . | indent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
{{ toYaml . | indent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
{{ toYaml . | indent 2 }}
{{- end }}
{{- end }}

{{/* Container settings shared by every container: image, security context. */}}
{{- define "energy-portal.containerSettings" -}}
image: {{ include "energy-portal.image" . | quote }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
securityContext:
{{ toYaml .Values.containerSecurityContext | indent 2 }}
{{- end }}

{{/*
Volumes: (list $ true|false) where the flag says whether the pod mounts /app/media. The root
filesystem is read-only; /tmp and the Prometheus multi-process folder (in memory) are writable.
*/}}
{{- define "energy-portal.volumes" -}}
{{- $root := index . 0 -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ $root.Values.tmpSizeLimit }}
- name: prometheus
  emptyDir:
    medium: Memory
    sizeLimit: {{ $root.Values.prometheusSizeLimit }}
{{- if index . 1 }}
- name: media
{{- if $root.Values.media.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ include "energy-portal.mediaClaimName" $root }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- end }}
{{- end }}

{{- define "energy-portal.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: prometheus
  mountPath: /tmp/prometheus
{{- if . }}
- name: media
  mountPath: /app/media
{{- end }}
{{- end }}

{{/*
Hook annotations for the objects only the migration Job uses (created before it, weight -10, and
deleted with it once every pre-install/pre-upgrade hook succeeded; a failed attempt leaves them for
inspection until the next one replaces them).
*/}}
{{- define "energy-portal.preHookAnnotations" -}}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: "-10"
helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
{{- end }}

{{/* The settings of the ConfigMap (and of the migration Job's hook copy). */}}
{{- define "energy-portal.configData" -}}
DEBUG: "0"
PLATFORM_DOMAIN: {{ .Values.platformDomain | lower | quote }}
ALLOWED_HOSTS: "*"
PORTAL_URL_SCHEME: "https"
PORTAL_URL_PORT: ""
EMAIL_HOST: {{ .Values.email.host | quote }}
EMAIL_PORT: {{ .Values.email.port | int64 | toString | quote }}
EMAIL_USE_TLS: {{ ternary "1" "0" .Values.email.useTls | quote }}
DEFAULT_FROM_EMAIL: {{ default (printf "portal@%s" .Values.platformDomain) .Values.email.defaultFromEmail | quote }}
LOG_FORMAT: "json"
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
TENANT_MIGRATION_PROCESSES: {{ .Values.config.tenantMigrationProcesses | int64 | toString | quote }}
TENANT_SPARE_SCHEMAS: {{ .Values.config.tenantSpareSchemas | int64 | toString | quote }}
TRUSTED_PROXIES: {{ .Values.config.trustedProxies | int64 | toString | quote }}
SECURE_SSL_REDIRECT: {{ ternary "1" "0" .Values.config.secureSslRedirect | quote }}
SECURE_HSTS_SECONDS: {{ .Values.config.secureHstsSeconds | int64 | toString | quote }}
SENTRY_ENVIRONMENT: {{ .Values.config.sentryEnvironment | quote }}
SENTRY_TRACES_SAMPLE_RATE: {{ .Values.config.sentryTracesSampleRate | toString | quote }}
PROMETHEUS_MULTIPROC_DIR: "/tmp/prometheus"
CELERY_METRICS_PORT: {{ .Values.config.celeryMetricsPort | int64 | toString | quote }}
{{- /* Touched by the worker while it consumes and by beat on every tick: their liveness probes. */}}
CELERY_LIVENESS_FILE: "/tmp/celery-alive"
MEDIA_ROOT: "/app/media"
DB_CONN_MAX_AGE: {{ .Values.config.dbConnMaxAge | int64 | toString | quote }}
WEB_CONCURRENCY: {{ .Values.web.concurrency | int64 | toString | quote }}
GUNICORN_THREADS: {{ .Values.web.threads | int64 | toString | quote }}
CELERY_CONCURRENCY: {{ .Values.worker.concurrency | int64 | toString | quote }}
{{- /* Sentry's release: the image tag. */}}
RELEASE: {{ default .Chart.AppVersion .Values.image.tag | toString | quote }}
{{- end }}

{{/* The chart-made Secret's data (and the migration Job's hook copy's). */}}
{{- define "energy-portal.secretData" -}}
{{- $s := .Values.secrets -}}
SECRET_KEY: {{ $s.secretKey | b64enc | quote }}
DATABASE_URL: {{ $s.databaseUrl | b64enc | quote }}
REDIS_URL: {{ $s.redisUrl | b64enc | quote }}
{{- with $s.secretKeyFallbacks }}
{{- /* Previous keys, newest first: what SECRET_KEY_FALLBACKS reads (comma-separated). */}}
SECRET_KEY_FALLBACKS: {{ join "," . | b64enc | quote }}
{{- end }}
{{- with $s.celeryBrokerUrl }}
CELERY_BROKER_URL: {{ . | b64enc | quote }}
{{- end }}
{{- with $s.emailHostUser }}
EMAIL_HOST_USER: {{ . | b64enc | quote }}
{{- end }}
{{- with $s.emailHostPassword }}
EMAIL_HOST_PASSWORD: {{ . | b64enc | quote }}
{{- end }}
{{- with $s.sentryDsn }}
SENTRY_DSN: {{ . | b64enc | quote }}
{{- end }}
{{- with $s.metricsToken }}
METRICS_TOKEN: {{ . | b64enc | quote }}
{{- end }}
{{- end }}

{{/* One NetworkPolicy egress rule from {to, ports}: an empty "to" allows any address on the ports. */}}
{{- define "energy-portal.egressRule" -}}
- {{- with .to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  ports:
    {{- toYaml .ports | nindent 4 }}
{{- end }}
