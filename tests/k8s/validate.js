#!/usr/bin/env node
// tests/k8s/validate.js DIR - validates every manifest of DIR (docker/k8s/*.yaml)
// offline, with no cluster:
//  1. YAML: every document parses (duplicate keys are errors).
//  2. Schema: each object is checked against the Kubernetes OpenAPI schema of
//     its apiVersion/kind by kubernetes-models' validators (types, enums,
//     required fields), and - which those validators let through - every
//     field name is checked against the object's type definitions shipped
//     with the same package (a misspelt `readOnlyRootFileSystem` is an error,
//     not a silently ignored field).
//  3. planwatch's own rules (README "Kubernetes"): the store is one replica,
//     strategy Recreate, on a PersistentVolumeClaim; every container runs as
//     non-root with a read-only root file system, no privilege escalation,
//     every capability dropped, requests and limits, readiness and liveness
//     exec probes; every ConfigMap key, Secret, claim and Service port named
//     exists; no Secret is committed (make-secrets.sh makes them).
// Prints one line per problem (file, document, path, why) and exits 1 if any.
"use strict";
const fs = require("fs");
const path = require("path");
const YAML = require("yaml");

const problems = [];
const problem = (where, why) => problems.push(`${where}: ${why}`);

// ---- kind -> kubernetes-models class --------------------------------------
function modelClass(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const mod = group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}`;
  try {
    return require(mod)[kind] || null;
  } catch (e) {
    return null;
  }
}

// ---- field names from the package's type definitions (.d.ts) --------------
const nm = path.join(__dirname, "node_modules");
const typeCache = new Map();
// The interface of a .d.ts file: {prop: {ref: file|null, array: bool, map: bool}}
// or null when the file defines no interface (a scalar alias: Quantity, IntOrString).
function typeOf(file) {
  if (typeCache.has(file)) return typeCache.get(file);
  const text = fs.readFileSync(file, "utf8");
  const imports = {};
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) {
    const spec = m[2];
    imports[m[1]] = spec.startsWith(".")
      ? path.resolve(path.dirname(file), spec + ".d.ts")
      : path.join(nm, spec + ".d.ts");
  }
  const body = text.match(/^export interface I\w+(?: extends \w+)? \{\n([\s\S]*?)^\}/m);
  let props = null;
  if (body) {
    props = {};
    const lines = body[1].split("\n");
    for (let i = 0; i < lines.length; i++) {
      const m = lines[i].match(/^ {4}"([^"]+)"\??: (.*)$/);
      if (!m) continue;
      let t = m[2], map = false;
      if (t === "{") { // { [key: string]: T; }
        map = true;
        const v = (lines[i + 1] || "").match(/\[key: string\]: (.*);$/);
        t = v ? v[1] : "";
      }
      t = t.replace(/;$/, "");
      const arr = t.match(/^Array<(\w+)>$/);
      const name = arr ? arr[1] : t;
      props[m[1]] = {ref: imports[name] || null, array: !!arr, map};
    }
  }
  typeCache.set(file, props);
  return props;
}

function checkFields(value, file, where, at) {
  const props = typeOf(file);
  if (!props || value === null || typeof value !== "object" || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const p = props[k];
    const here = at ? `${at}.${k}` : k;
    if (!p) {
      problem(where, `schema: unknown field ${here} (${path.basename(file, ".d.ts")} has no "${k}")`);
      continue;
    }
    if (!p.ref || v === null || v === undefined) continue;
    if (p.array && Array.isArray(v)) v.forEach((e, i) => checkFields(e, p.ref, where, `${here}[${i}]`));
    else if (p.map && typeof v === "object") for (const [mk, mv] of Object.entries(v)) checkFields(mv, p.ref, where, `${here}.${mk}`);
    else checkFields(v, p.ref, where, here);
  }
}

function kindFile(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const f = path.join(nm, "kubernetes-models", group || "", version, kind + ".d.ts");
  return fs.existsSync(f) ? f : null;
}

// ---- read every manifest -----------------------------------------------------
// --secrets FILE: the output of make-secrets.sh instead - schemas only, and
// it must hold exactly the Secrets the manifests mount, each with its files
const secretsMode = process.argv[2] === "--secrets";
const dirs = process.argv.slice(secretsMode ? 3 : 2);
const dir = dirs[0];
if (!dir) {
  console.error("usage: node validate.js DIR... | --secrets FILE");
  process.exit(2);
}
// each file with its path shown relative to the first directory
const files = secretsMode ? [dir]
  : dirs.flatMap((d) => fs.readdirSync(d).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(d, f)));
if (files.length === 0) problem(dir, "no manifests (*.yaml) here");
const objects = []; // {where, obj}
for (const f of files) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(f, "utf8"), {uniqueKeys: true});
  const name = secretsMode ? path.basename(f) : path.relative(dir, f);
  docs.forEach((d, i) => {
    const where = `${name}#${i + 1}`;
    for (const e of d.errors) problem(where, `YAML: ${e.message.split("\n")[0]}`);
    if (d.errors.length) return;
    const obj = d.toJS();
    if (obj === null) return; // an empty document (a trailing ---)
    if (typeof obj !== "object" || !obj.apiVersion || !obj.kind) {
      problem(where, "not a Kubernetes object (apiVersion and kind)");
      return;
    }
    objects.push({where: `${where} ${obj.kind}/${(obj.metadata || {}).name}`, obj});
  });
}

// ---- 2. the schemas --------------------------------------------------------------
for (const {where, obj} of objects) {
  const C = modelClass(obj.apiVersion, obj.kind);
  const df = kindFile(obj.apiVersion, obj.kind);
  if (!C || !df) {
    problem(where, `unknown apiVersion/kind ${obj.apiVersion} ${obj.kind}`);
    continue;
  }
  try {
    new C(obj).validate();
  } catch (e) {
    for (const err of e.errors || [{instancePath: "", message: e.message}])
      problem(where, `schema: ${err.instancePath || "/"} ${err.message}`);
  }
  checkFields(obj, df, where, "");
}

// ---- 3. planwatch's rules -----------------------------------------------------
const byKind = (k) => objects.filter((o) => o.obj.kind === k);
const services = ["store", "ingest", "alert", "http"];
const secretsMade = new Set(["planwatch-keys", ...services.map((s) => `planwatch-${s}-key`)]);
if (secretsMode) {
  const want = new Map([["planwatch-keys", ["registry.yaml", ...services.map((s) => `${s}.key`)]],
                        ...services.map((s) => [`planwatch-${s}-key`, [`${s}.key_secret`]])]);
  for (const {where, obj} of objects) {
    if (obj.kind !== "Secret") { problem(where, "not a Secret"); continue; }
    const files = want.get(obj.metadata.name);
    if (!files) { problem(where, "a Secret no manifest mounts"); continue; }
    const have = Object.keys(obj.data || {}).sort();
    if (have.join() !== [...files].sort().join()) problem(where, `holds ${have.join(", ")}, not ${files.join(", ")}`);
    for (const [k, v] of Object.entries(obj.data || {}))
      if (!Buffer.from(v, "base64").length) problem(where, `${k} is empty`);
    if (obj.metadata.name.endsWith("-key") && /secret-key/.test(Buffer.from(Object.values(obj.data || {})[0] || "", "base64").toString()) === false)
      problem(where, "holds no secret key");
    if (obj.metadata.name === "planwatch-keys" && Object.values(obj.data || {}).some((v) => /secret-key/.test(Buffer.from(v, "base64").toString())))
      problem(where, "a secret key is in the Secret every pod mounts");
    want.delete(obj.metadata.name);
  }
  for (const name of want.keys()) problem(path.basename(dir), `no Secret ${name}`);
  for (const p of problems) console.log(p);
  console.log(`${objects.length} Secrets: ${problems.length} problems`);
  process.exit(problems.length ? 1 : 0);
}
const configMaps = new Map(byKind("ConfigMap").map((o) => [o.obj.metadata.name, o.obj.data || {}]));
const claims = new Set(byKind("PersistentVolumeClaim").map((o) => o.obj.metadata.name));
for (const {where} of byKind("Secret")) problem(where, "a Secret is committed: make-secrets.sh makes them from the keys, never commit keys");

const deployments = byKind("Deployment");
const wanted = ["planwatch-store", "planwatch-ingest", "planwatch-alert", "planwatch-http"];
for (const name of wanted)
  if (!deployments.some((d) => d.obj.metadata.name === name)) problem(dir, `no Deployment ${name}`);

// every pod spec: Deployments' templates (long-running: probes required) and bare Pods (one-off jobs)
const podSpecs = [...deployments.map((d) => ({where: d.where, pod: ((d.obj.spec || {}).template || {}).spec || {}, probes: true})),
                  ...byKind("Pod").map((p) => ({where: p.where, pod: p.obj.spec || {}, probes: false}))];
for (const {where, obj} of deployments) {
  const spec = obj.spec || {};
  const pod = (spec.template || {}).spec || {};
  const labels = ((spec.template || {}).metadata || {}).labels || {};
  const sel = (spec.selector || {}).matchLabels || {};
  for (const [k, v] of Object.entries(sel))
    if (labels[k] !== v) problem(where, `selector ${k}=${v} does not match the pod template's labels`);
  if (obj.metadata.name === "planwatch-store") {
    if (spec.replicas !== 1) problem(where, "the store is the single writer of its LMDB: replicas must be 1");
    if (!spec.strategy || spec.strategy.type !== "Recreate")
      problem(where, "the store must be replaced with strategy Recreate (never two stores on one volume)");
    const data = (pod.volumes || []).find((v) => v.persistentVolumeClaim && v.name === "data");
    if (!data) problem(where, "the store's data must be a PersistentVolumeClaim (volume \"data\")");
  }
}
for (const {where, pod, probes} of podSpecs) {
  const psc = pod.securityContext || {};
  if (pod.automountServiceAccountToken !== false)
    problem(where, "automountServiceAccountToken must be false (planwatch never talks to the API server)");
  for (const v of pod.volumes || []) {
    if (v.secret && !secretsMade.has(v.secret.secretName))
      problem(where, `volume ${v.name}: Secret ${v.secret.secretName} is not one make-secrets.sh makes`);
    if (v.secret && v.secret.optional !== false)
      problem(where, `volume ${v.name}: say optional: false (a missing key must stop the pod; podman kube play needs it spelt out)`);
    if (v.persistentVolumeClaim && !claims.has(v.persistentVolumeClaim.claimName))
      problem(where, `volume ${v.name}: no PersistentVolumeClaim ${v.persistentVolumeClaim.claimName}`);
  }
  const volumeNames = new Set((pod.volumes || []).map((v) => v.name));
  for (const c of [...(pod.initContainers || []), ...(pod.containers || [])]) {
    const cw = `${where} container ${c.name}`;
    const sc = c.securityContext || {};
    if (!(sc.runAsNonRoot === true || (sc.runAsNonRoot === undefined && psc.runAsNonRoot === true)))
      problem(cw, "runAsNonRoot must be true");
    if ((sc.runAsUser ?? psc.runAsUser) === 0) problem(cw, "runAsUser 0 (root)");
    if (sc.readOnlyRootFilesystem !== true) problem(cw, "readOnlyRootFilesystem must be true");
    if (sc.allowPrivilegeEscalation !== false) problem(cw, "allowPrivilegeEscalation must be false");
    if (sc.privileged === true) problem(cw, "privileged");
    if (!((sc.capabilities || {}).drop || []).includes("ALL")) problem(cw, "capabilities must drop ALL");
    if ((sc.capabilities || {}).add && sc.capabilities.add.length) problem(cw, "capabilities added");
    const r = c.resources || {};
    for (const k of ["requests", "limits"])
      for (const res of ["cpu", "memory"])
        if (!(r[k] || {})[res]) problem(cw, `resources.${k}.${res} must be set`);
    for (const p of probes ? ["readinessProbe", "livenessProbe"] : []) {
      const cmd = ((c[p] || {}).exec || {}).command;
      if (!cmd) problem(cw, `${p} must be an exec probe`);
      else if (!/planwatch health|\/api\/v1\/health/.test(cmd.join(" ")))
        problem(cw, `${p} must ask planwatch health (or the door's /api/v1/health)`);
    }
    for (const e of c.env || []) {
      const ref = (e.valueFrom || {}).configMapKeyRef;
      if (!ref) continue;
      const cm = configMaps.get(ref.name);
      if (!cm) problem(cw, `env ${e.name}: no ConfigMap ${ref.name}`);
      else if (!(ref.key in cm)) problem(cw, `env ${e.name}: ConfigMap ${ref.name} has no key ${ref.key}`);
    }
    for (const m of c.volumeMounts || [])
      if (!volumeNames.has(m.name)) problem(cw, `volumeMount ${m.name}: no such volume`);
  }
}

for (const {where, obj} of byKind("Service")) {
  const sel = (obj.spec || {}).selector || {};
  const d = deployments.find((d) =>
    Object.entries(sel).every(([k, v]) => ((((d.obj.spec || {}).template || {}).metadata || {}).labels || {})[k] === v));
  if (!d) {
    problem(where, "its selector matches no Deployment's pods");
    continue;
  }
  const portNames = new Set(d.obj.spec.template.spec.containers.flatMap((c) => (c.ports || []).map((p) => p.name)));
  const portNums = new Set(d.obj.spec.template.spec.containers.flatMap((c) => (c.ports || []).map((p) => p.containerPort)));
  for (const p of obj.spec.ports || []) {
    const t = p.targetPort ?? p.port;
    if (typeof t === "string" ? !portNames.has(t) : !portNums.has(t))
      problem(where, `port ${p.name}: targetPort ${t} is no container port of ${d.obj.metadata.name}`);
  }
}

for (const p of problems) console.log(p);
console.log(`${files.length} files, ${objects.length} objects: ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
