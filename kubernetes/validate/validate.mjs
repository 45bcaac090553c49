#!/usr/bin/env node
// Offline validation of Kubernetes objects in YAML files (several documents per file).
//
//   node kubernetes/validate/validate.mjs <file or directory>...
//
// - Kubernetes core/apps/policy/autoscaling/networking/... objects are validated against the OpenAPI schemas of
//   `kubernetes-models`, Istio objects against `@kubernetes-models/istio`, Gateway API objects against
//   `@kubernetes-models/gateway-api`, Prometheus Operator objects against `@kubernetes-models/prometheus-operator`
//   (types, required fields, enums, patterns; these schemas do not flag unknown fields).
// - Linkerd objects (policy.linkerd.io Server, AuthorizationPolicy, MeshTLSAuthentication, NetworkAuthentication,
//   HTTPRoute; linkerd.io ServiceProfile) have no schema package: they are checked by the hand-written rules
//   below, written from Linkerd's reference documentation and CRDs (required fields, types, enum values, and
//   unknown fields). The retry.linkerd.io / timeout.linkerd.io annotations and Linkerd's rules for route parents
//   are checked the same way on any HTTPRoute, GRPCRoute or Service that uses them.
//
// Exit status: 0 when every object is valid; 1 when any object is invalid, of an unknown kind, or not a
// Kubernetes object; 2 on bad usage (no files, unreadable file, no object at all).

import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments } from "yaml";

// ---------------------------------------------------------------------------------------------------------------
// Schema-based validation
// ---------------------------------------------------------------------------------------------------------------

/** Which npm package holds the models of an API group ("" is the core group). */
function schemaPackage(group) {
  if (group === "gateway.networking.k8s.io" || group === "gateway.networking.x-k8s.io") {
    return "@kubernetes-models/gateway-api";
  }
  if (group.endsWith("istio.io")) return "@kubernetes-models/istio";
  if (group === "monitoring.coreos.com") return "@kubernetes-models/prometheus-operator";
  if (group === "" || !group.includes(".") || group.endsWith(".k8s.io")) return "kubernetes-models";
  return null;
}

const moduleCache = new Map();

async function loadModule(specifier) {
  if (!moduleCache.has(specifier)) {
    moduleCache.set(
      specifier,
      import(specifier).catch(() => null),
    );
  }
  return moduleCache.get(specifier);
}

function formatAjvErrors(err) {
  const list = Array.isArray(err?.errors) ? err.errors : null;
  if (!list || list.length === 0) return [String(err?.message ?? err)];
  return list.map((e) => `${e.instancePath || "/"} ${e.message ?? e.keyword}${e.params && Object.keys(e.params).length ? " " + JSON.stringify(e.params) : ""}`);
}

async function validateWithSchema(obj, group, version) {
  const pkg = schemaPackage(group);
  if (!pkg) return null;
  const mod = await loadModule(`${pkg}/${obj.apiVersion}`);
  const Model = mod?.[obj.kind];
  if (typeof Model !== "function" || Model.kind !== obj.kind || Model.apiVersion !== obj.apiVersion) {
    return { how: `schema: ${pkg}`, errors: [`unknown kind ${obj.kind} in ${obj.apiVersion} (not in ${pkg})`] };
  }
  try {
    new Model(obj).validate();
    return { how: `schema: ${pkg}`, errors: [] };
  } catch (err) {
    return { how: `schema: ${pkg}`, errors: formatAjvErrors(err) };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Hand-written rules: a small checker for the Linkerd kinds (no schema package exists for them)
// ---------------------------------------------------------------------------------------------------------------

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const GROUP = /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KIND = /^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
// Gateway API duration (GEP-2257), used by HTTPRoute timeouts.
const GATEWAY_DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
// Linkerd annotations and ServiceProfile timeouts: a number with a unit, e.g. 300ms, 5s, 1m30s.
const LINKERD_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;

const s = (extra = {}) => ({ type: "string", ...extra });
const arr = (items, extra = {}) => ({ type: "array", items, ...extra });
const obj = (props, extra = {}) => ({ type: "object", props, ...extra });
const oneOfEnum = (...values) => s({ enum: values });

function isCidr(value) {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (!m) return false;
  const [, ip, bits] = m;
  const prefix = Number(bits);
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) {
    return prefix <= 32 && ip.split(".").every((o) => Number(o) <= 255);
  }
  return ip.includes(":") && /^[0-9a-fA-F:.]+$/.test(ip) && prefix <= 128;
}

/** Checks `value` against a schema of this file's small vocabulary; pushes messages to `errors`. */
function check(value, schema, where, errors) {
  const fail = (msg) => errors.push(`${where || "/"} ${msg}`);
  switch (schema.type) {
    case "object": {
      if (value === null || typeof value !== "object" || Array.isArray(value)) return fail("must be an object");
      for (const key of schema.required ?? []) {
        if (!(key in value)) fail(`must have required property '${key}'`);
      }
      if (schema.oneOfRequired) {
        const present = schema.oneOfRequired.filter((keys) => keys.every((k) => k in value));
        if (present.length !== 1) {
          fail(`must have exactly one of ${schema.oneOfRequired.map((k) => k.join("+")).join(", ")}`);
        }
      }
      for (const [key, v] of Object.entries(value)) {
        const sub = schema.props?.[key] ?? schema.additional;
        if (sub === undefined) {
          fail(`has unknown field '${key}'${schema.props ? ` (allowed: ${Object.keys(schema.props).join(", ")})` : ""}`);
        } else if (sub !== true) {
          check(v, sub, `${where}/${key}`, errors);
        }
      }
      if (schema.rule) schema.rule(value, fail);
      return;
    }
    case "array": {
      if (!Array.isArray(value)) return fail("must be an array");
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        fail(`must have at least ${schema.minItems} item(s)`);
      }
      if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        fail(`must have at most ${schema.maxItems} items`);
      }
      value.forEach((item, i) => check(item, schema.items, `${where}/${i}`, errors));
      return;
    }
    case "string": {
      if (typeof value !== "string") return fail("must be a string");
      if (schema.enum && !schema.enum.includes(value)) {
        return fail(`must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")} (is ${JSON.stringify(value)})`);
      }
      if (schema.minLength !== undefined && value.length < schema.minLength) fail(`must not be shorter than ${schema.minLength}`);
      if (schema.maxLength !== undefined && value.length > schema.maxLength) fail(`must not be longer than ${schema.maxLength}`);
      if (schema.pattern && !schema.pattern.test(value)) fail(`must match ${schema.pattern} (is ${JSON.stringify(value)})`);
      if (schema.format === "cidr" && !isCidr(value)) fail(`must be a CIDR (is ${JSON.stringify(value)})`);
      if (schema.format === "regex") {
        try {
          new RegExp(value);
        } catch {
          fail(`must be a valid regular expression (is ${JSON.stringify(value)})`);
        }
      }
      return;
    }
    case "integer": {
      if (!Number.isInteger(value)) return fail("must be an integer");
      if (schema.min !== undefined && value < schema.min) fail(`must be >= ${schema.min}`);
      if (schema.max !== undefined && value > schema.max) fail(`must be <= ${schema.max}`);
      return;
    }
    case "number":
      if (typeof value !== "number" || Number.isNaN(value)) fail("must be a number");
      return;
    case "boolean":
      if (typeof value !== "boolean") fail("must be a boolean");
      return;
    case "port": {
      // A port number or an IANA_SVC_NAME naming a container port.
      if (Number.isInteger(value)) {
        if (value < 1 || value > 65535) fail("must be a port number 1-65535");
      } else if (typeof value === "string") {
        if (!(value.length <= 15 && DNS_LABEL.test(value) && /[a-z]/.test(value) && !value.includes("--"))) {
          fail(`must be a port number or a port name (IANA_SVC_NAME) (is ${JSON.stringify(value)})`);
        }
      } else {
        fail("must be a port number or name");
      }
      return;
    }
    case "any":
      return;
    default:
      throw new Error(`validate.mjs bug: unknown schema type ${schema.type}`);
  }
}

const labelSelector = obj({
  matchLabels: obj({}, { additional: s() }),
  matchExpressions: arr(
    obj(
      { key: s({ minLength: 1 }), operator: oneOfEnum("In", "NotIn", "Exists", "DoesNotExist"), values: arr(s()) },
      { required: ["key", "operator"] },
    ),
  ),
});

const ref = (kinds, extra = {}) =>
  obj(
    {
      group: s({ pattern: GROUP, maxLength: 253 }),
      kind: s({ pattern: KIND, minLength: 1, maxLength: 63, ...(kinds ? { enum: kinds } : {}) }),
      name: s({ minLength: 1, maxLength: 253 }),
      namespace: s({ maxLength: 253 }),
    },
    { required: ["kind", "name"], ...extra },
  );

// policy.linkerd.io Server (reference: Server spec; CRD servers.policy.linkerd.io).
const PROXY_PROTOCOLS = ["unknown", "HTTP/1", "HTTP/2", "gRPC", "opaque", "TLS"];
const ACCESS_POLICIES = ["deny", "all-unauthenticated", "all-authenticated", "cluster-authenticated", "cluster-unauthenticated", "audit"];

function serverSpec(version) {
  const props = {
    podSelector: labelSelector,
    port: { type: "port" },
    proxyProtocol: oneOfEnum(...PROXY_PROTOCOLS),
  };
  if (version === "v1beta1") return obj(props, { required: ["podSelector", "port"] });
  props.externalWorkloadSelector = labelSelector;
  if (version === "v1beta3") props.accessPolicy = oneOfEnum(...ACCESS_POLICIES);
  return obj(props, { required: ["port"], oneOfRequired: [["podSelector"], ["externalWorkloadSelector"]] });
}

// policy.linkerd.io AuthorizationPolicy (reference: AuthorizationPolicy spec).
const TARGET_GROUPS = {
  Server: ["policy.linkerd.io"],
  HTTPRoute: ["policy.linkerd.io", "gateway.networking.k8s.io"],
  GRPCRoute: ["gateway.networking.k8s.io"],
  Namespace: ["", "core", undefined],
};
const AUTHN_GROUPS = {
  MeshTLSAuthentication: ["policy.linkerd.io"],
  NetworkAuthentication: ["policy.linkerd.io"],
  ServiceAccount: ["", "core", undefined],
};
const groupRule = (groups) => (value, fail) => {
  const allowed = groups[value.kind];
  if (allowed && !allowed.includes(value.group)) {
    fail(`group of a ${value.kind} must be ${allowed.filter((g) => g).join(" or ") || "empty"} (is ${JSON.stringify(value.group ?? "")})`);
  }
};
const authorizationPolicySpec = obj(
  {
    targetRef: ref(Object.keys(TARGET_GROUPS), { rule: groupRule(TARGET_GROUPS) }),
    requiredAuthenticationRefs: arr(ref(Object.keys(AUTHN_GROUPS), { rule: groupRule(AUTHN_GROUPS) })),
  },
  { required: ["targetRef", "requiredAuthenticationRefs"] },
);

// policy.linkerd.io MeshTLSAuthentication and NetworkAuthentication.
const meshTlsAuthenticationSpec = obj(
  {
    identities: arr(s({ minLength: 1 }), { minItems: 1 }),
    identityRefs: arr(
      obj(
        {
          group: s({ pattern: GROUP }),
          kind: oneOfEnum("ServiceAccount", "Namespace"),
          name: s({ minLength: 1, maxLength: 253 }),
          namespace: s({ maxLength: 253 }),
        },
        { required: ["kind"] },
      ),
      { minItems: 1 },
    ),
  },
  { oneOfRequired: [["identities"], ["identityRefs"]] },
);
const networkAuthenticationSpec = obj(
  { networks: arr(obj({ cidr: s({ format: "cidr" }), except: arr(s({ format: "cidr" })) }, { required: ["cidr"] }), { minItems: 1 }) },
  { required: ["networks"] },
);

// policy.linkerd.io HTTPRoute (reference: HTTPRoute spec; the same shape as the Gateway API's).
const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];
const pathMatch = obj(
  { type: oneOfEnum("Exact", "PathPrefix", "RegularExpression"), value: s({ maxLength: 1024 }) },
  {
    rule: (v, fail) => {
      if (v.type === "RegularExpression") {
        try {
          new RegExp(v.value ?? "");
        } catch {
          fail(`value must be a valid regular expression`);
        }
      } else if (typeof v.value === "string" && !v.value.startsWith("/")) {
        fail(`value must start with "/"`);
      }
    },
  },
);
const nameValueMatch = (nameSchema) =>
  obj({ type: oneOfEnum("Exact", "RegularExpression"), name: nameSchema, value: s({ minLength: 1, maxLength: 4096 }) }, { required: ["name", "value"] });
const headerMutation = obj({
  set: arr(obj({ name: s({ pattern: HEADER_NAME }), value: s() }, { required: ["name", "value"] })),
  add: arr(obj({ name: s({ pattern: HEADER_NAME }), value: s() }, { required: ["name", "value"] })),
  remove: arr(s({ pattern: HEADER_NAME })),
});
const routeFilter = obj(
  {
    type: oneOfEnum("RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect"),
    requestHeaderModifier: headerMutation,
    responseHeaderModifier: headerMutation,
    requestRedirect: obj({
      scheme: oneOfEnum("http", "https"),
      hostname: s(),
      path: obj({ type: oneOfEnum("ReplaceFullPath", "ReplacePrefixMatch"), replaceFullPath: s(), replacePrefixMatch: s() }, { required: ["type"] }),
      port: { type: "integer", min: 1, max: 65535 },
      statusCode: { type: "integer", min: 300, max: 399 },
    }),
  },
  { required: ["type"] },
);
function httpRouteSpec(version) {
  const rule = {
    matches: arr(
      obj({
        path: pathMatch,
        headers: arr(nameValueMatch(s({ pattern: HEADER_NAME, minLength: 1, maxLength: 256 })), { maxItems: 16 }),
        queryParams: arr(nameValueMatch(s({ minLength: 1, maxLength: 256 })), { maxItems: 16 }),
        method: oneOfEnum(...HTTP_METHODS),
      }),
      { maxItems: 8 },
    ),
    filters: arr(routeFilter, { maxItems: 16 }),
    backendRefs: arr(
      obj(
        {
          group: s({ pattern: GROUP }),
          kind: s({ pattern: KIND }),
          name: s({ minLength: 1, maxLength: 253 }),
          namespace: s({ pattern: DNS_LABEL, maxLength: 63 }),
          port: { type: "integer", min: 1, max: 65535 },
          weight: { type: "integer", min: 0, max: 1000000 },
          filters: arr(routeFilter),
        },
        { required: ["name"] },
      ),
    ),
  };
  if (version === "v1beta3") {
    rule.timeouts = obj({ request: s({ pattern: GATEWAY_DURATION }), backendRequest: s({ pattern: GATEWAY_DURATION }) });
  }
  return obj(
    {
      parentRefs: arr(
        obj(
          {
            group: s({ pattern: GROUP, maxLength: 253 }),
            kind: s({ pattern: KIND, minLength: 1, maxLength: 63 }),
            name: s({ minLength: 1, maxLength: 253 }),
            namespace: s({ pattern: DNS_LABEL, maxLength: 63 }),
            port: { type: "integer", min: 1, max: 65535 },
            sectionName: s({ pattern: GROUP }),
          },
          { required: ["name"] },
        ),
        { minItems: 1, maxItems: 32 },
      ),
      hostnames: arr(s({ maxLength: 253 }), { maxItems: 16 }),
      rules: arr(obj(rule), { maxItems: 16 }),
    },
    { required: ["parentRefs"] },
  );
}

// linkerd.io ServiceProfile (reference: Service Profiles).
const spCondition = obj(
  { method: oneOfEnum(...HTTP_METHODS), pathRegex: s({ format: "regex" }), all: arr({ type: "any" }), any: arr({ type: "any" }), not: { type: "any" } },
);
const serviceProfileSpec = obj({
  routes: arr(
    obj(
      {
        name: s({ minLength: 1 }),
        condition: spCondition,
        responseClasses: arr(
          obj(
            {
              condition: obj({
                status: obj({ min: { type: "integer", min: 100, max: 599 }, max: { type: "integer", min: 100, max: 599 } }),
                all: arr({ type: "any" }),
                any: arr({ type: "any" }),
                not: { type: "any" },
              }),
              isFailure: { type: "boolean" },
            },
            { required: ["condition"] },
          ),
        ),
        isRetryable: { type: "boolean" },
        timeout: s({ pattern: LINKERD_DURATION }),
      },
      { required: ["name", "condition"] },
    ),
  ),
  retryBudget: obj(
    { retryRatio: { type: "number" }, minRetriesPerSecond: { type: "integer", min: 0 }, ttl: s({ pattern: LINKERD_DURATION }) },
    { required: ["retryRatio", "minRetriesPerSecond", "ttl"] },
  ),
  dstOverrides: arr(obj({ authority: s({ minLength: 1 }), weight: { type: "any" } }, { required: ["authority", "weight"] })),
  opaquePorts: arr({ type: "integer", min: 1, max: 65535 }),
});

/** The Linkerd kinds: apiVersion -> kind -> spec schema. */
const LINKERD_KINDS = {
  "policy.linkerd.io/v1beta1": { Server: serverSpec("v1beta1"), HTTPRoute: httpRouteSpec("v1beta1") },
  "policy.linkerd.io/v1beta2": { Server: serverSpec("v1beta2"), HTTPRoute: httpRouteSpec("v1beta2") },
  "policy.linkerd.io/v1beta3": { Server: serverSpec("v1beta3"), HTTPRoute: httpRouteSpec("v1beta3") },
  "policy.linkerd.io/v1alpha1": {
    AuthorizationPolicy: authorizationPolicySpec,
    MeshTLSAuthentication: meshTlsAuthenticationSpec,
    NetworkAuthentication: networkAuthenticationSpec,
    HTTPRoute: httpRouteSpec("v1alpha1"),
  },
  "linkerd.io/v1alpha2": { ServiceProfile: serviceProfileSpec },
};

// Linkerd's retry and timeout annotations (reference: Retries, Timeouts), valid on Services and on HTTPRoutes and
// GRPCRoutes whose parent is a Service; retry.linkerd.io/http not on a GRPCRoute, retry.linkerd.io/grpc not on an
// HTTPRoute.
const HTTP_RETRY_ITEM = /^(\d{3}|\d{3}-\d{3}|gateway-error|5xx)$/;
const GRPC_RETRY_CODES = ["cancelled", "deadline-exceeded", "internal", "resource-exhausted", "unavailable"];
const LINKERD_ANNOTATIONS = {
  "retry.linkerd.io/http": (v, fail, kind) => {
    if (kind === "GRPCRoute") fail("retry.linkerd.io/http is not valid on a GRPCRoute (use retry.linkerd.io/grpc)");
    for (const item of v.split(",").map((x) => x.trim())) {
      if (!HTTP_RETRY_ITEM.test(item)) {
        fail(`retry.linkerd.io/http: "${item}" is not a status (xxx), a range (xxx-yyy), gateway-error or 5xx`);
        continue;
      }
      const [lo, hi = lo] = item.split("-").map(Number);
      if (/^\d/.test(item) && (lo < 100 || hi > 599 || lo > hi)) fail(`retry.linkerd.io/http: bad status range "${item}"`);
    }
  },
  "retry.linkerd.io/grpc": (v, fail, kind) => {
    if (kind === "HTTPRoute") fail("retry.linkerd.io/grpc is not valid on an HTTPRoute");
    for (const item of v.split(",").map((x) => x.trim())) {
      if (!GRPC_RETRY_CODES.includes(item)) fail(`retry.linkerd.io/grpc: "${item}" is not one of ${GRPC_RETRY_CODES.join(", ")}`);
    }
  },
  "retry.linkerd.io/limit": (v, fail) => /^\d+$/.test(v) || fail(`retry.linkerd.io/limit must be a whole number (is "${v}")`),
  "retry.linkerd.io/timeout": (v, fail) => LINKERD_DURATION.test(v) || fail(`retry.linkerd.io/timeout must be a duration with a unit, e.g. 5s (is "${v}")`),
  "timeout.linkerd.io/request": (v, fail) => LINKERD_DURATION.test(v) || fail(`timeout.linkerd.io/request must be a duration with a unit (is "${v}")`),
  "timeout.linkerd.io/response": (v, fail) => LINKERD_DURATION.test(v) || fail(`timeout.linkerd.io/response must be a duration with a unit (is "${v}")`),
  "timeout.linkerd.io/idle": (v, fail) => LINKERD_DURATION.test(v) || fail(`timeout.linkerd.io/idle must be a duration with a unit (is "${v}")`),
};

const isLinkerdAnnotation = (key) => key.startsWith("retry.linkerd.io/") || key.startsWith("timeout.linkerd.io/");

/** Linkerd's rules for annotations and route parents; returns null when nothing Linkerd-specific is present. */
function linkerdExtraRules(o) {
  const errors = [];
  const fail = (msg) => errors.push(msg);
  const annotations = o.metadata?.annotations ?? {};
  const keys = Object.keys(annotations).filter(isLinkerdAnnotation);
  const isRoute =
    (o.kind === "HTTPRoute" && (o.apiVersion.startsWith("gateway.networking.k8s.io/") || o.apiVersion.startsWith("policy.linkerd.io/"))) ||
    (o.kind === "GRPCRoute" && o.apiVersion.startsWith("gateway.networking.k8s.io/"));
  const parents = isRoute ? o.spec?.parentRefs ?? [] : [];
  const meshParents = parents.filter((p) => p.kind === "Server" || p.kind === "Service");
  if (keys.length === 0 && meshParents.length === 0) return null;
  if (o.kind !== "Service" && !isRoute) {
    fail(`Linkerd retry/timeout annotations are only read on Services, HTTPRoutes and GRPCRoutes (not on a ${o.kind})`);
  }
  for (const key of keys) {
    const rule = LINKERD_ANNOTATIONS[key];
    const value = annotations[key];
    if (!rule) fail(`unknown Linkerd annotation ${key} (known: ${Object.keys(LINKERD_ANNOTATIONS).join(", ")})`);
    else if (typeof value !== "string") fail(`${key} must be a string`);
    else rule(value, fail, o.kind);
  }
  if (isRoute) {
    for (const p of parents) {
      if (p.kind === "Server" && p.group !== "policy.linkerd.io") fail(`parentRef ${p.name}: a Server parent needs group policy.linkerd.io`);
      if (p.kind === "Service") {
        if (!["core", "", undefined].includes(p.group)) fail(`parentRef ${p.name}: a Service parent needs group core (or empty)`);
        if (p.port === undefined) fail(`parentRef ${p.name}: a Service parent needs the Service port`);
      }
    }
    if (meshParents.length > 0 && meshParents.length !== parents.length) {
      fail("parentRefs mix Linkerd parents (Server/Service) with other kinds");
    }
    const serverParent = parents.some((p) => p.kind === "Server");
    if (serverParent) {
      if (keys.length) fail("retry/timeout annotations have no effect on an inbound route (Server parent): attach it to a Service");
      (o.spec?.rules ?? []).forEach((r, i) => {
        if (r.backendRefs?.length) fail(`rules/${i}: backendRefs are only allowed on routes whose parent is a Service`);
        if (r.timeouts) fail(`rules/${i}: timeouts only apply to routes whose parent is a Service`);
      });
    }
  }
  return errors;
}

function validateLinkerd(o) {
  const kinds = LINKERD_KINDS[o.apiVersion];
  const schema = kinds?.[o.kind];
  if (!schema) {
    const known = Object.entries(LINKERD_KINDS).flatMap(([v, ks]) => Object.keys(ks).map((k) => `${v} ${k}`));
    return { how: "checked by hand-written rules (Linkerd)", errors: [`unknown Linkerd kind ${o.apiVersion} ${o.kind} (known: ${known.join(", ")})`] };
  }
  const errors = [];
  check(o, obj({ apiVersion: s(), kind: s(), metadata: { type: "any" }, spec: schema }, { required: ["spec"] }), "", errors);
  if (o.kind === "ServiceProfile" && typeof o.metadata?.name === "string" && !/\.svc\.[a-z0-9.-]+$/.test(o.metadata.name)) {
    errors.push(`metadata.name of a ServiceProfile must be the Service's FQDN (<service>.<namespace>.svc.cluster.local)`);
  }
  errors.push(...(linkerdExtraRules(o) ?? []));
  return { how: "checked by hand-written rules (Linkerd reference; no schema package exists)", errors };
}

// ---------------------------------------------------------------------------------------------------------------
// Rules for every object
// ---------------------------------------------------------------------------------------------------------------

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function commonRules(o) {
  const errors = [];
  const name = o.metadata?.name;
  if (typeof name !== "string" || name.length === 0) errors.push("metadata.name is required");
  else if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) errors.push(`metadata.name "${name}" is not a DNS-1123 subdomain`);
  for (const field of ["labels", "annotations"]) {
    for (const [k, v] of Object.entries(o.metadata?.[field] ?? {})) {
      if (typeof v !== "string") errors.push(`metadata.${field}.${k} must be a string (quote it)`);
    }
  }
  return errors;
}

async function validateObject(o) {
  if (o === null || typeof o !== "object" || Array.isArray(o)) {
    return { how: "-", errors: ["document is not a mapping"] };
  }
  if (typeof o.apiVersion !== "string" || typeof o.kind !== "string") {
    return { how: "-", errors: ["not a Kubernetes object (apiVersion and kind are required)"] };
  }
  const slash = o.apiVersion.lastIndexOf("/");
  const group = slash < 0 ? "" : o.apiVersion.slice(0, slash);
  const version = o.apiVersion.slice(slash + 1);
  let result;
  if (group === "policy.linkerd.io" || group === "linkerd.io") {
    result = validateLinkerd(o);
  } else {
    result = (await validateWithSchema(o, group, version)) ?? {
      how: "-",
      errors: [`unknown kind: no schema for API group "${group}" (${o.apiVersion} ${o.kind})`],
    };
    const extra = linkerdExtraRules(o);
    if (extra !== null) {
      result.how += " + checked by hand-written rules (Linkerd annotations and parents)";
      result.errors.push(...extra);
    }
  }
  result.errors.unshift(...commonRules(o));
  return result;
}

// ---------------------------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------------------------

function collectFiles(args) {
  const files = [];
  const walk = (p) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const entry of readdirSync(p).sort()) {
        if (entry === "node_modules" || entry.startsWith(".")) continue;
        walk(path.join(p, entry));
      }
    } else if (/\.ya?ml$/.test(p) || args.includes(p)) {
      files.push(p);
    }
  };
  for (const a of args) walk(a);
  return files;
}

async function main(argv) {
  if (argv.length === 0 || argv.includes("--help")) {
    console.error("usage: node validate.mjs <file.yaml | directory>...");
    return 2;
  }
  let files;
  try {
    files = collectFiles(argv);
  } catch (err) {
    console.error(`validate.mjs: ${err.message}`);
    return 2;
  }
  let total = 0;
  let invalid = 0;
  let linkerdOnly = 0;
  let linkerdOnTop = 0;
  for (const file of files) {
    const docs = parseAllDocuments(readFileSync(file, "utf8"));
    let index = 0;
    for (const doc of docs) {
      index += 1;
      const where = `${file} [doc ${index}]`;
      if (doc.errors.length) {
        total += 1;
        invalid += 1;
        console.log(`INVALID ${where}: YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
        continue;
      }
      const o = doc.toJS();
      if (o === null || o === undefined) continue; // an empty document (comments only)
      total += 1;
      const { how, errors } = await validateObject(o);
      const label = `${o.apiVersion ?? "?"} ${o.kind ?? "?"} ${o.metadata?.name ?? "?"}`;
      if (how.startsWith("checked by hand-written")) linkerdOnly += 1;
      else if (how.includes("hand-written")) linkerdOnTop += 1;
      if (errors.length) {
        invalid += 1;
        console.log(`INVALID ${where} ${label} (${how})`);
        for (const e of errors) console.log(`        - ${e}`);
      } else {
        console.log(`valid   ${where} ${label} (${how})`);
      }
    }
  }
  if (total === 0) {
    console.log("validate.mjs: no Kubernetes object found");
    return 2;
  }
  console.log(
    `validate.mjs: ${total} object(s) in ${files.length} file(s): ${total - invalid} valid, ${invalid} invalid; ` +
      `${linkerdOnly} Linkerd object(s) checked by hand-written rules only, ${linkerdOnTop} schema-validated with ` +
      `hand-written Linkerd rules on top, ${total - linkerdOnly - linkerdOnTop} by schema only`,
  );
  return invalid === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
