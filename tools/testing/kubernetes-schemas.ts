import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * The kubeconform set-up of `tools/provision/kubernetes-tools.sh`: the binary, and schemas in
 * the layouts kubeconform reads. GitHub, where kubeconform fetches schemas by default, is not
 * reachable here: the Kubernetes schemas come from PyPI's kubernetes-validate and KEDA's CRDs
 * from its Go module, and are turned here into kubeconform's standalone layout.
 */
export interface KubeconformSetUp {
  readonly binary: string;
  /** `-schema-location` templates, Kubernetes' then the CRDs'. */
  readonly schemaLocations: string[];
}

const cacheDir = () =>
  process.env.FASHION_CACHE_DIR ??
  join(
    process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
    'fashion-kafka',
  );

/** Writes the schemas into `outDir`; undefined when the provisioning has not run. */
export async function kubeconformSetUp(
  outDir: string,
): Promise<KubeconformSetUp | undefined> {
  const tools = join(cacheDir(), 'kubernetes');
  const binary = join(tools, 'bin', 'kubeconform');
  const kubernetes = join(tools, 'kubernetes-json-schema', 'current');
  const keda = join(tools, 'keda-current');
  if (![binary, kubernetes, keda].every((path) => existsSync(path))) {
    return undefined;
  }
  await Promise.all([
    standaloneKubernetesSchemas(kubernetes, join(outDir, 'kubernetes')),
    crdSchemas(keda, join(outDir, 'crds')),
  ]);
  return {
    binary,
    schemaLocations: [
      join(outDir, 'kubernetes', '{{ .ResourceKind }}{{ .KindSuffix }}.json'),
      join(
        outDir,
        'crds',
        '{{ .Group }}',
        '{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json',
      ),
    ],
  };
}

type Schema = Record<string, unknown>;

/**
 * kubernetes-validate's schemas refer to one shared `_definitions.json`; kubeconform reads each
 * kind's file alone, so each gets the definitions inlined and its references made local.
 */
async function standaloneKubernetesSchemas(
  from: string,
  to: string,
): Promise<void> {
  await mkdir(to, { recursive: true });
  const definitions = (
    JSON.parse(await readFile(join(from, '_definitions.json'), 'utf8')) as {
      $defs: Schema;
    }
  ).$defs;
  const files = (await readdir(from)).filter(
    (file) => file.endsWith('.json') && !file.startsWith('_'),
  );
  for (const file of files) {
    const text = await readFile(join(from, file), 'utf8');
    const schema = JSON.parse(
      text.replaceAll('"/api/_definitions.json#/$defs/', '"#/$defs/'),
    ) as Schema;
    delete schema.$id;
    // Only the definitions it reaches, so that each file stays small.
    const reached = reachableDefinitions(schema, definitions);
    await writeFile(
      join(to, file),
      JSON.stringify({ ...schema, $defs: reached }),
    );
  }
}

function reachableDefinitions(root: Schema, definitions: Schema): Schema {
  const reached: Schema = {};
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) {
      pending.push(...(node as unknown[]));
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string') {
          const name = value
            .replace('/api/_definitions.json#/$defs/', '')
            .replace('#/$defs/', '');
          if (!(name in reached) && name in definitions) {
            reached[name] = JSON.parse(
              JSON.stringify(definitions[name]).replaceAll(
                '"/api/_definitions.json#/$defs/',
                '"#/$defs/',
              ),
            );
            pending.push(reached[name]);
          }
        } else {
          pending.push(value);
        }
      }
    }
  }
  return reached;
}

interface CustomResourceDefinition {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; schema: { openAPIV3Schema: Schema } }[];
  };
}

/**
 * A CRD's OpenAPI schema of each version as a strict JSON schema, as kubeconform's
 * openapi2jsonschema does: int-or-string made explicit, unknown fields refused where the CRD
 * does not allow them.
 */
async function crdSchemas(from: string, to: string): Promise<void> {
  for (const file of await readdir(from)) {
    if (!file.endsWith('.yaml')) continue;
    const crd = parse(
      await readFile(join(from, file), 'utf8'),
    ) as CustomResourceDefinition;
    const folder = join(to, crd.spec.group);
    await mkdir(folder, { recursive: true });
    for (const version of crd.spec.versions) {
      await writeFile(
        join(
          folder,
          `${crd.spec.names.kind.toLowerCase()}_${version.name}.json`,
        ),
        JSON.stringify(strict(version.schema.openAPIV3Schema)),
      );
    }
  }
}

function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (!schema || typeof schema !== 'object') return schema;
  const result: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    result[key] =
      key === 'properties'
        ? Object.fromEntries(
            Object.entries(value as Schema).map(([name, property]) => [
              name,
              strict(property),
            ]),
          )
        : strict(value);
  }
  if (result['x-kubernetes-int-or-string'] === true) {
    delete result.type;
    result.oneOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (
    'properties' in result &&
    !('additionalProperties' in result) &&
    result['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    result.additionalProperties = false;
  }
  return result;
}
