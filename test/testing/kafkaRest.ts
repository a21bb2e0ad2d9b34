// The requests a client of the kafka tier's schema registry and REST proxy sends (Confluent's
// APIs), as a python3 script for the toolbox image: the data-center tests run it in a task on
// the tier's overlay, the image tests in a container beside the images.

/** python3 with call(method, url, body, content-type, accept) (JSON in and out, retried while the service starts) and proxy_records (an Avro consumer instance of the proxy, read until `want` records). */
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
    "def proxy_records(P, group, name, topic, want):",
    "    call('POST', P + '/consumers/' + group, {'name': name, 'format': 'avro', 'auto.offset.reset': 'earliest'})",
    "    call('POST', P + '/consumers/' + group + '/instances/' + name + '/subscription', {'topics': [topic]})",
    "    records = []",
    "    for i in range(30):",
    "        records += call('GET', P + '/consumers/' + group + '/instances/' + name + '/records?timeout=2000', accept='application/vnd.kafka.avro.v2+json')",
    "        if len(records) >= want: break",
    "    call('DELETE', P + '/consumers/' + group + '/instances/' + name)",
    "    return records",
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
        "records = proxy_records(P, T, 'c1', T, 1)",
        "print(json.dumps({'schema_id': sid, 'produced': out, 'records': records}))",
        "EOF",
    ].join("\n");
}

/**
 * After avroThroughRestScript: a Kafka client BCM did not write (confluent-kafka, librdkafka,
 * in the toolbox image) reads the topic from the brokers and decodes the record in Confluent's
 * framing (magic byte 0, the schema id, Avro binary) with the schema fetched from the registry
 * by that id (Apache Avro's library); then writes one more record the same way, which the
 * proxy's Avro consumer must give back decoded. Prints {read, schema_id, proxy_records}.
 */
export function avroWithKafkaClientScript(bootstrap: string, registry: string, proxy: string, topic: string): string {
    return [
        "python3 - <<'EOF'",
        pythonClient,
        "import io, struct, uuid",
        "import avro.io, avro.schema",
        "from confluent_kafka import Consumer, Producer",
        `B, R, P, T = '${bootstrap}', '${registry}', '${proxy}', '${topic}'`,
        "consumer = Consumer({'bootstrap.servers': B, 'group.id': 'independent-' + uuid.uuid4().hex, 'auto.offset.reset': 'earliest', 'enable.auto.commit': False})",
        "consumer.subscribe([T])",
        "msg = None",
        "for i in range(60):",
        "    msg = consumer.poll(2.0)",
        "    if msg is not None and msg.error() is None: break",
        "consumer.close()",
        "if msg is None or msg.error() is not None: raise SystemExit('no record read from ' + T + ': ' + str(msg and msg.error()))",
        "raw = msg.value()",
        "magic, sid = struct.unpack('>bI', raw[:5])",
        "if magic != 0: raise SystemExit('not in Confluent framing: magic byte ' + str(magic))",
        "schema = avro.schema.parse(call('GET', R + '/schemas/ids/' + str(sid), accept='application/vnd.schemaregistry.v1+json', ctype='application/json')['schema'])",
        "read = avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(io.BytesIO(raw[5:])))",
        "buf = io.BytesIO()",
        "buf.write(struct.pack('>bI', 0, sid))",
        "avro.io.DatumWriter(schema).write({'n': 7, 'note': 'from librdkafka'}, avro.io.BinaryEncoder(buf))",
        "producer = Producer({'bootstrap.servers': B, 'enable.idempotence': True})",
        "producer.produce(T, value=buf.getvalue())",
        "if producer.flush(60) != 0: raise SystemExit('the record was not delivered')",
        "records = proxy_records(P, T + '-x', 'c2', T, 2)",
        "print(json.dumps({'read': read, 'schema_id': sid, 'proxy_records': records}))",
        "EOF",
    ].join("\n");
}
