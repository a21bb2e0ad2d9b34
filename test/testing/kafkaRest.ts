// The requests a client of the kafka tier's schema registry and REST proxy sends (Confluent's
// APIs), as a python3 script for the toolbox image: the data-center tests run it in a task on
// the tier's overlay, the image tests in a container beside the images.

/** python3 with call(method, url, body, content-type, accept): JSON in and out, retried while the service starts. */
export const pythonClient = [
    "import json, time, urllib.request, urllib.error",
    "def call(method, url, body=None, ctype='application/vnd.kafka.v2+json', accept=None):",
    "    data = None if body is None else json.dumps(body).encode()",
    "    req = urllib.request.Request(url, data=data, method=method, headers={'Content-Type': ctype, 'Accept': accept or ctype})",
    "    for i in range(60):",
    "        try:",
    "            with urllib.request.urlopen(req, timeout=60) as r:",
    "                text = r.read().decode()",
    "                return json.loads(text) if text else None",
    "        except urllib.error.HTTPError:",
    "            raise",
    "        except Exception:",
    "            time.sleep(3)",
    "    raise SystemExit('no answer from ' + url)",
].join("\n");

/**
 * Registers an Avro schema in the registry, creates a topic through the proxy's v3 API,
 * produces a record with the schema's id through the v2 API, reads it back through an avro
 * consumer instance, and prints {schema_id, produced, records} as JSON.
 */
export function avroThroughRestScript(registry: string, proxy: string, topic: string): string {
    return [
        "python3 - <<'EOF'",
        pythonClient,
        `R, P, T = '${registry}', '${proxy}', '${topic}'`,
        "schema = json.dumps({'type': 'record', 'name': 'E2e', 'namespace': 'bcm.it', 'fields': [{'name': 'n', 'type': 'long'}, {'name': 'note', 'type': ['null', 'string'], 'default': None}]})",
        "sid = call('POST', R + '/subjects/' + T + '-value/versions', {'schema': schema}, 'application/vnd.schemaregistry.v1+json')['id']",
        "cid = call('GET', P + '/v3/clusters', ctype='application/json')['data'][0]['cluster_id']",
        "call('POST', P + '/v3/clusters/' + cid + '/topics', {'topic_name': T, 'partitions_count': 1}, 'application/json')",
        "out = call('POST', P + '/topics/' + T, {'value_schema_id': sid, 'records': [{'value': {'n': 42, 'note': {'string': 'through the proxy'}}}]}, 'application/vnd.kafka.avro.v2+json')",
        "call('POST', P + '/consumers/' + T, {'name': 'c1', 'format': 'avro', 'auto.offset.reset': 'earliest'})",
        "call('POST', P + '/consumers/' + T + '/instances/c1/subscription', {'topics': [T]})",
        "records = []",
        "for i in range(30):",
        "    records += call('GET', P + '/consumers/' + T + '/instances/c1/records?timeout=2000', accept='application/vnd.kafka.avro.v2+json')",
        "    if records: break",
        "call('DELETE', P + '/consumers/' + T + '/instances/c1')",
        "print(json.dumps({'schema_id': sid, 'produced': out, 'records': records}))",
        "EOF",
    ].join("\n");
}
