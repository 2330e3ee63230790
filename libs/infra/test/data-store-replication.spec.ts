import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import type { Environment, Platform } from '@cios/platform-spec';
import { CiosDataStore, type CiosDataStoreProps } from '../src/constructs/cios-data-store.js';
import { constructProps, db, envOf, must, smallPlatform } from './fixtures.js';
import { resourcesOf, type Container, type PodSpec, type ResourceType, type TerraformJson } from './terraform-json.js';

const redisSecrets = { secrets: [{ env: 'REDIS_PASSWORD', secretName: 'cache-auth', key: 'password' }] };
const platform = smallPlatform([
  db(),
  db({ name: 'cache', image: 'docker.io/library/redis', port: 6379, storage: { size: '1Gi', mountPath: '/data' }, config: redisSecrets, replication: { engine: 'redis' } }),
  db({ name: 'vectors', image: 'docker.io/qdrant/qdrant', port: 6333, replicas: { dev: 1, prod: 3 }, config: {}, replication: { engine: 'qdrant' } }),
  db({ name: 'failed-over', replication: { engine: 'postgres', credentials: { secretName: 'db-replication', key: 'password' }, primaryOrdinal: { prod: 1 } } }),
  db({ name: 'plain', replication: undefined }),
]);
const prod = envOf(platform, 'prod');
const dev = envOf(platform, 'dev');

function props(name: string, env: Environment = prod, cluster: CiosDataStoreProps['cluster'] = { name: 'prod-tor', role: 'primary' }, p: Platform = platform): CiosDataStoreProps {
  return { ...constructProps(must(p.services.find((s) => s.name === name), `service ${name}`), env), cluster };
}

function render(p: CiosDataStoreProps) {
  const synth = Testing.synthScope((scope) => {
    new CiosDataStore(scope, p.service.name, p);
  });
  const json = JSON.parse(synth) as TerraformJson;
  const all = <T extends ResourceType>(type: T) => Object.values(resourcesOf(json, type));
  const services = all('kubernetes_service_v1');
  const sts = must(all('kubernetes_stateful_set_v1')[0], 'the StatefulSet');
  const pod = sts.spec.template.spec;
  const job = all('kubernetes_cron_job_v1')[0];
  const envVars = (c: Container): Record<string, unknown> => Object.fromEntries(c.env.map((e) => [e.name, e.value ?? e.value_from]));
  return {
    synth,
    sts,
    pod,
    main: must(pod.container[0], 'the main container'),
    env: envVars,
    client: must(services.find((s) => s.spec.cluster_ip !== 'None'), 'the client Service'),
    headless: must(services.find((s) => s.spec.cluster_ip === 'None'), 'the headless Service'),
    policy: must(all('kubernetes_network_policy_v1')[0], 'the NetworkPolicy'),
    configMaps: all('kubernetes_config_map_v1'),
    job,
    jobEnv: job ? envVars(must(job.spec.job_template.spec.template.spec.container[0], 'the backup container')) : {},
  };
}

/** Every string of a container's command and args, and of its init containers': the start-up scripts. */
function scripts(pod: PodSpec): string[] {
  return [...(pod.init_container ?? []), ...pod.container].flatMap((c) => [...(c.command ?? []), ...(c.args ?? [])]);
}

describe('CiosDataStore replication: PostgreSQL', () => {
  const r = render(props('db'));

  it('sends clients to pod 0 alone; the headless governing Service keeps every pod for peer DNS', () => {
    expect(r.client.metadata.name).toBe('db');
    expect(r.client.spec.selector).toEqual({
      'app.kubernetes.io/name': 'db',
      'app.kubernetes.io/instance': 'db-prod',
      'statefulset.kubernetes.io/pod-name': 'db-0',
    });
    expect(r.headless.metadata.name).toBe('db-headless');
    expect(r.headless.spec.selector).not.toHaveProperty(['statefulset.kubernetes.io/pod-name']);
    expect(r.sts.spec.service_name).toBe('db-headless');
    expect(r.sts.metadata.annotations).toEqual({ 'cios.ca/replication': 'primary' });
  });

  it('clones pod 0 into an empty standby volume with pg_basebackup and marks it standby, never touching data already there', () => {
    const init = must(r.pod.init_container, 'the init containers');
    expect(init.map((c) => c.name)).toEqual(['replication-bootstrap']);
    const bootstrap = must(init[0], 'replication-bootstrap');
    const script = must(bootstrap.command, "replication-bootstrap's command").join(' ');
    expect(script).toContain('pg_basebackup --host="$PRIMARY_HOST"');
    expect(script).toContain('touch "$PGDATA.partial/standby.signal"');
    expect(script.indexOf('if [ -s "$PGDATA/PG_VERSION" ]; then')).toBeLessThan(script.indexOf('pg_basebackup'));
    expect(r.env(bootstrap)['PRIMARY_HOST']).toBe('db-0.db-headless.prod-data.svc');
    expect(r.env(bootstrap)['PRIMARY_ORDINAL']).toBe('0');
    // The init container is as restricted as the database and mounts its data volume.
    expect(bootstrap.security_context).toEqual(r.main.security_context);
    expect(bootstrap.volume_mount).toContainEqual({ name: 'data', mount_path: '/var/lib/postgresql/data' });
  });

  it('runs every pod as a streaming hot standby of pod 0 (ignored by the primary), reading the password from a passfile', () => {
    const args = must(r.main.args, "the main container's args");
    expect(args[0]).toBe('postgres');
    expect(args).toContain(
      'primary_conninfo=host=db-0.db-headless.prod-data.svc port=5432 user=replicator passfile=/run/cios-replication/pgpass application_name=$(POD_NAME)',
    );
    expect(args).toContain('hba_file=/etc/cios-replication/pg_hba.conf');
    // POD_NAME is defined before anything that expands it.
    expect(r.main.env[0]).toEqual({ name: 'POD_NAME', value_from: { field_ref: { field_path: 'metadata.name' } } });
    expect(r.pod.volume).toContainEqual({ name: 'replication-credentials', empty_dir: { medium: 'Memory', size_limit: '1Mi' } });
    const hba = must(must(r.configMaps.find((c) => c.metadata.name === 'db-replication-config'), 'ConfigMap db-replication-config').data['pg_hba.conf'], 'pg_hba.conf');
    expect(hba).toMatch(/^host +replication +replicator +all +scram-sha-256$/m);
    // Over the network, every role needs its password.
    const network = hba.split('\n').filter((line) => line.startsWith('host'));
    expect(network).toHaveLength(2);
    for (const line of network) expect(line).toMatch(/ scram-sha-256$/);
  });

  it('takes the replication password from its Secret by reference only', () => {
    const ref = { secret_key_ref: { name: 'db-replication', key: 'password', optional: false } };
    expect(r.env(r.main)['REPLICATION_PASSWORD']).toEqual(ref);
    expect(r.env(must(r.pod.init_container?.[0], 'the init container'))['REPLICATION_PASSWORD']).toEqual(ref);
    // Nowhere else: every mention of the Secret is a secret_key_ref (not a ConfigMap, an argument or a script).
    const mentions: string[] = [];
    const walk = (v: unknown, path: string) => {
      if (v === 'db-replication') mentions.push(path);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    walk(JSON.parse(r.synth), '');
    expect(mentions).toHaveLength(2);
    for (const path of mentions) expect(path).toMatch(/\.env\.\d+\.value_from\.secret_key_ref\.name$/);
    expect(must(r.configMaps.find((c) => c.metadata.name === 'db-replication-config'), 'ConfigMap db-replication-config').data).not.toHaveProperty('password');
  });

  it('backs up the primary pod by name, into a prefix of its own environment and cluster', () => {
    expect(r.jobEnv['BACKUP_SOURCE_HOST']).toBe('db-0.db-headless.prod-data.svc');
    expect(r.jobEnv['BACKUP_DESTINATION']).toBe('s3://backups-ca/db/prod/prod-tor/');
    expect(must(r.job, 'the backup CronJob').spec.suspend).toBe(false);
  });

  it('admits its own pods on the replication port, from its namespace only', () => {
    expect(r.policy.spec.ingress).toContainEqual({
      from: [{ pod_selector: { match_labels: { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'db-prod' } } }],
      ports: [{ port: '5432', protocol: 'TCP' }],
    });
  });

  it('puts no Terraform template syntax in its scripts (${ and %{ would be evaluated by Terraform)', () => {
    const all = scripts(r.pod);
    expect(all.join('\n')).toContain('$PRIMARY_HOST');
    for (const text of [...all, ...r.configMaps.flatMap((c) => Object.values(c.data))]) {
      expect(text).not.toMatch(/\$\{|%\{/);
    }
  });
});

describe('CiosDataStore replication: Redis and Qdrant', () => {
  it('Redis: pod 0 is the master, the others replicaof it; auth and AOF reach redis-server on stdin', () => {
    const r = render(props('cache'));
    expect(r.client.spec.selector['statefulset.kubernetes.io/pod-name']).toBe('cache-0');
    const command = must(r.main.command, "the main container's command");
    const script = command.join(' ');
    expect(command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(script).toContain('follow="replicaof $PRIMARY_HOST 6379"');
    expect(script).toContain('exec redis-server - <<EOF');
    expect(script).toContain('requirepass $(quote "$REDIS_PASSWORD")');
    expect(script).toContain('appendonly yes');
    expect(r.env(r.main)['PRIMARY_HOST']).toBe('cache-0.cache-headless.prod-data.svc');
    expect(r.jobEnv['BACKUP_SOURCE_HOST']).toBe('cache-0.cache-headless.prod-data.svc');
    expect(r.policy.spec.ingress).toContainEqual(expect.objectContaining({ ports: [{ port: '6379', protocol: 'TCP' }], from: [{ pod_selector: expect.anything() }] }));
  });

  it('Qdrant: every pod is a Raft peer, so clients reach any; the others bootstrap from pod 0 over p2p 6335, admitted between peers', () => {
    const r = render(props('vectors'));
    expect(r.sts.metadata.annotations).toEqual({ 'cios.ca/replication': 'peers' });
    expect(r.client.spec.selector).toEqual({ 'app.kubernetes.io/name': 'vectors', 'app.kubernetes.io/instance': 'vectors-prod' });
    expect(r.env(r.main)['QDRANT__CLUSTER__ENABLED']).toBe('true');
    const script = must(r.main.command, "the main container's command").join(' ');
    expect(script).toContain('exec ./entrypoint.sh --uri "$self"');
    expect(script).toContain('exec ./entrypoint.sh --bootstrap "http://$PRIMARY_HOST:6335" --uri "$self"');
    expect(r.env(r.main)['PRIMARY_HOST']).toBe('vectors-0.vectors-headless.prod-data.svc');
    expect(r.headless.spec.port).toContainEqual({ name: 'p2p', port: 6335, target_port: '6335', protocol: 'TCP' });
    expect(r.main.port).toContainEqual({ name: 'p2p', container_port: 6335, protocol: 'TCP' });
    const ingress = must(r.policy.spec.ingress, 'the ingress rules');
    const peer = must(ingress.find((rule) => must(rule.ports?.[0], "a rule's first port").port === '6335'), 'the rule for port 6335');
    expect(peer.from).toEqual([{ pod_selector: { match_labels: { 'app.kubernetes.io/name': 'vectors', 'app.kubernetes.io/instance': 'vectors-prod' } } }]);
    // The p2p port takes writes without credentials: nothing but the peers may reach it.
    expect(ingress.filter((rule) => must(rule.ports, "a rule's ports").some((p) => p.port === '6335'))).toHaveLength(1);
    expect(r.jobEnv['BACKUP_SOURCE_HOST']).toBe('vectors-0.vectors-headless.prod-data.svc');
  });
});

describe('CiosDataStore replication: primary ordinal, dev, standby', () => {
  it('after a failover recorded as primaryOrdinal.prod = 1, clients, standbys and the backup follow pod 1', () => {
    const r = render(props('failed-over'));
    expect(r.client.spec.selector['statefulset.kubernetes.io/pod-name']).toBe('failed-over-1');
    expect(r.env(r.main)['PRIMARY_HOST']).toBe('failed-over-1.failed-over-headless.prod-data.svc');
    expect(r.env(r.main)['PRIMARY_ORDINAL']).toBe('1');
    expect(r.jobEnv['BACKUP_SOURCE_HOST']).toBe('failed-over-1.failed-over-headless.prod-data.svc');
  });

  it('refuses a primary ordinal naming no pod, with the field path', () => {
    const p = smallPlatform([db({ replication: { engine: 'postgres', credentials: { secretName: 's', key: 'k' }, primaryOrdinal: { prod: 2 } } })]);
    expect(() => render(props('db', envOf(p, 'prod'), { name: 'prod-tor', role: 'primary' }, p))).toThrow(
      'services.db.replication.primaryOrdinal.prod: 2 names no pod; db runs 2 replicas in prod (ordinals 0–1)',
    );
  });

  it('dev (one replica): the same start-up with pod 0 as primary, but no peer rule and no PDB', () => {
    const r = render(props('db', dev, { name: 'dev-1', role: 'primary' }));
    expect(r.sts.spec.replicas).toBe('1');
    expect(r.client.spec.selector['statefulset.kubernetes.io/pod-name']).toBe('db-0');
    expect(must(r.policy.spec.ingress, 'the ingress rules').some((rule) => rule.from?.some((f) => f.pod_selector && !f.namespace_selector))).toBe(false);
    expect(r.synth).not.toContain('kubernetes_pod_disruption_budget_v1');
  });

  it('without replication, replicas stay behind one Service over every pod (the policy refuses this in prod: CIOS-DATA-003)', () => {
    const r = render(props('plain'));
    expect(r.client.spec.selector).not.toHaveProperty(['statefulset.kubernetes.io/pod-name']);
    expect(r.sts.metadata.annotations).toBeUndefined();
    expect(r.pod.init_container).toBeUndefined();
    expect(r.jobEnv['BACKUP_SOURCE_HOST']).toBe('plain.prod-data.svc');
  });

  it('a standby cluster renders its backup suspended, saying why, and would write to its own prefix after failover', () => {
    const r = render(props('db', prod, { name: 'prod-mtl', role: 'secondary' }));
    const job = must(r.job, 'the backup CronJob');
    expect(job.spec.suspend).toBe(true);
    expect(job.metadata.annotations?.['cios.ca/suspended-because']).toBe(
      "standby cluster of prod: restored from prod-tor's backups; resume after failover (libs/infra/docs/restore.md)",
    );
    expect(r.jobEnv['BACKUP_DESTINATION']).toBe('s3://backups-ca/db/prod/prod-mtl/');
  });
});
