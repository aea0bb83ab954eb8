#!/usr/bin/env node
// tests/k8s/probes.js DIR - runs every readiness and liveness exec probe of
// the Deployments in DIR/*.yaml inside the pods `podman kube play` made of
// them (container DEPLOYMENT-pod-0-CONTAINER), exactly as the manifest
// spells the command, and prints each result; exits 1 unless all pass.
// (podman 4.3 turns a liveness probe into a healthcheck by joining and
// re-splitting its words, which breaks `bash -c '...'`: a cluster's kubelet
// runs the array as written, and so does this.)
"use strict";
const fs = require("fs");
const path = require("path");
const {spawnSync} = require("child_process");
const YAML = require("yaml");

const dir = process.argv[2];
let failed = 0, ran = 0;
for (const f of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
  for (const d of YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), "utf8"))) {
    const o = d.toJS();
    if (!o || o.kind !== "Deployment") continue;
    for (const c of o.spec.template.spec.containers) {
      for (const p of ["readinessProbe", "livenessProbe"]) {
        const cmd = ((c[p] || {}).exec || {}).command;
        if (!cmd) continue;
        const ctr = `${o.metadata.name}-pod-0-${c.name}`;
        const r = spawnSync("podman", ["exec", ctr, ...cmd], {encoding: "utf8", timeout: 30000});
        ran++;
        const ok = r.status === 0;
        if (!ok) failed++;
        console.log(`${ok ? "ok  " : "FAIL"} ${ctr} ${p} (exit ${r.status}): ${(r.stdout + r.stderr).trim().split("\n").pop() || ""}`);
      }
    }
  }
}
console.log(`${ran} probes run, ${failed} failed`);
process.exit(failed || !ran ? 1 : 0);
