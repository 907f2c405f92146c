// A small chart for exercising the Kubernetes emulator: a ConfigMap, a Service, a Deployment
// (`<release>-web`, with an env var from values and an optional change cause), a StatefulSet
// (`<release>-db`) and a DaemonSet (`<release>-agent`).
import fs from 'node:fs';
import path from 'node:path';

const podTemplate = (app: string, container: string, image: string, extra = '') => `  selector:
    matchLabels:
      app: {{ .Release.Name }}-${app}
  template:
    metadata:
      labels:
        app: {{ .Release.Name }}-${app}
    spec:
      containers:
        - name: ${container}
          image: ${image}${extra}
`;

const FILES: Record<string, string> = {
  'Chart.yaml': 'apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: "1.0"\n',
  'values.yaml': 'image: nginx:1.27\nmessage: hello\nreplicas: 2\nchangeCause: ""\n',
  'templates/configmap.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  message: {{ .Values.message | quote }}
`,
  'templates/service.yaml': `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector:
    app: {{ .Release.Name }}-web
  ports:
    - name: http
      port: 80
      targetPort: 8080
`,
  'templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  {{- with .Values.changeCause }}
  annotations:
    kubernetes.io/change-cause: {{ . | quote }}
  {{- end }}
spec:
  replicas: {{ .Values.replicas }}
${podTemplate(
  'web',
  'web',
  '{{ .Values.image }}',
  `
          ports:
            - containerPort: 8080
          env:
            - name: MESSAGE
              value: {{ .Values.message | quote }}
            - name: MODE
              value: demo`,
)}`,
  'templates/statefulset.yaml': `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ .Release.Name }}-db
spec:
  serviceName: {{ .Release.Name }}-db
${podTemplate('db', 'db', 'postgres:16')}`,
  'templates/daemonset.yaml': `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {{ .Release.Name }}-agent
spec:
${podTemplate('agent', 'agent', 'busybox:1.36')}`,
};

/** Writes the demo chart into `<dir>/demo` and returns that path. */
export function writeDemoChart(dir: string): string {
  const root = path.join(dir, 'demo');
  for (const [file, text] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}
