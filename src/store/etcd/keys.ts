/**
 * Where the catalog lives in etcd. Every name segment is URI-encoded so an instance id such as
 * `compose:shop/web:8080` can never make one prefix range reach another instance's keys.
 *
 *   <root>/_index                               touched by every write: its mod revision is the change index
 *   <root>/<project>/changes                    put by every write of the project: the events of that write
 *   <root>/<project>/instances/<id>             one instance (JSON)
 *   <root>/<project>/checks/<id>/<check>        settled state of one check (JSON)
 *   <root>/<project>/ttl/<id>/<check>           last TTL report (JSON)
 *   <root>/<project>/history/<id>/<check>/<at>-<seq>  one status change (JSON), bounded per check
 */
export class EtcdKeys {
  constructor(
    readonly root: string,
    readonly project: string,
  ) {}

  static segment(value: string): string {
    return encodeURIComponent(value);
  }

  get index(): string {
    return `${this.root}/_index`;
  }

  get base(): string {
    return `${this.root}/${EtcdKeys.segment(this.project)}`;
  }

  get changes(): string {
    return `${this.base}/changes`;
  }

  get instances(): string {
    return `${this.base}/instances/`;
  }

  instance(id: string): string {
    return `${this.instances}${EtcdKeys.segment(id)}`;
  }

  get checks(): string {
    return `${this.base}/checks/`;
  }

  checksOf(id: string): string {
    return `${this.checks}${EtcdKeys.segment(id)}/`;
  }

  check(id: string, checkId: string): string {
    return `${this.checksOf(id)}${EtcdKeys.segment(checkId)}`;
  }

  get ttls(): string {
    return `${this.base}/ttl/`;
  }

  ttlsOf(id: string): string {
    return `${this.ttls}${EtcdKeys.segment(id)}/`;
  }

  ttl(id: string, checkId: string): string {
    return `${this.ttlsOf(id)}${EtcdKeys.segment(checkId)}`;
  }

  get histories(): string {
    return `${this.base}/history/`;
  }

  historyOf(id: string): string {
    return `${this.histories}${EtcdKeys.segment(id)}/`;
  }

  historyOfCheck(id: string, checkId: string): string {
    return `${this.historyOf(id)}${EtcdKeys.segment(checkId)}/`;
  }

  /** Zero-padded so keys sort by time, then by the check key's revision (unique per check). */
  historyEntry(id: string, checkId: string, at: number, seq: number): string {
    return `${this.historyOfCheck(id, checkId)}${String(at).padStart(15, '0')}-${String(seq).padStart(12, '0')}`;
  }

  /** The project of a key under the root, when that key is an instance. */
  projectOfInstanceKey(key: string): string | undefined {
    const rest = key.slice(this.root.length + 1).split('/');
    return rest.length === 3 && rest[1] === 'instances' ? decodeURIComponent(rest[0]!) : undefined;
  }
}
