import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * The Debezium side of bench/cdc.ts: Debezium's embedded engine with its MariaDB connector,
 * offsets and schema history in files (no Kafka), counting the change events of one table in
 * the consumer callback.
 *
 *   java -cp 'lib/*:classes' DebeziumCount <mode> <host> <port> <user> <password> <db.table> <stateDir> <count> [file pos gtid]
 *
 * mode `throughput`: reads the binlog from the position after `gtid` (at `file`:`pos`) until `count` change
 *   events of the table came, then prints one JSON line: events, ms and process CPU seconds
 *   between the first event and the last.
 * mode `latency`: starts at the binlog's end (snapshot.mode=no_data), prints `seen` at the first
 *   event, and for `count` events the delay from the row's `sent_ms` column to the callback;
 *   then prints them as one JSON line.
 */
public final class DebeziumCount {
  private static double cpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }

  /** An offsets file as FileOffsetBackingStore keeps it (a serialized map of JSON key to JSON value). */
  private static void seedOffset(String file, String binlogFile, String pos, String gtids) throws java.io.IOException {
    java.util.HashMap<byte[], byte[]> offsets = new java.util.HashMap<>();
    offsets.put("[\"bench-cdc\",{\"server\":\"bench\"}]".getBytes(java.nio.charset.StandardCharsets.UTF_8),
        ("{\"file\":\"" + binlogFile + "\",\"pos\":" + pos + ",\"gtids\":\"" + gtids + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    try (java.io.ObjectOutputStream os = new java.io.ObjectOutputStream(new java.io.FileOutputStream(file))) {
      os.writeObject(offsets);
    }
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String table = args[5];
    String state = args[6];
    long count = Long.parseLong(args[7]);
    boolean latency = mode.equals("latency");
    Properties p = new Properties();
    p.setProperty("name", "bench-cdc");
    p.setProperty("connector.class", "io.debezium.connector.mariadb.MariaDbConnector");
    p.setProperty("database.hostname", args[1]);
    p.setProperty("database.port", args[2]);
    p.setProperty("database.user", args[3]);
    p.setProperty("database.password", args[4]);
    // A replica id of its own per run: the server may not yet have dropped the last run's connection.
    p.setProperty("database.server.id", String.valueOf(64100 + ProcessHandle.current().pid() % 800));
    p.setProperty("topic.prefix", "bench");
    p.setProperty("database.include.list", table.substring(0, table.indexOf('.')));
    p.setProperty("table.include.list", table);
    // Throughput: the offset is set to the given position and the schema history recovered
    // from the server (the table's schema does not change in the workload).
    if (!latency) seedOffset(state + "/offsets.dat", args[8], args[9], args[10]);
    p.setProperty("snapshot.mode", latency ? "no_data" : "recovery");
    p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
    p.setProperty("offset.storage.file.filename", state + "/offsets.dat");
    p.setProperty("offset.flush.interval.ms", "1000");
    p.setProperty("schema.history.internal", "io.debezium.storage.file.history.FileSchemaHistory");
    p.setProperty("schema.history.internal.file.filename", state + "/schema-history.dat");
    p.setProperty("include.schema.changes", "false");
    p.setProperty("tombstones.on.delete", "false");

    // -Ddebezium.<property>=<value> overrides a property (e.g. max.batch.size), for tuning runs.
    for (String name : System.getProperties().stringPropertyNames())
      if (name.startsWith("debezium.")) p.setProperty(name.substring("debezium.".length()), System.getProperty(name));

    PrintStream out = System.out;
    CountDownLatch done = new CountDownLatch(1);
    long[] events = {0};
    double[] first = {0, 0};
    boolean[] seen = {false};
    long[] delays = new long[latency ? (int) count : 0];
    DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> consumer = (List<RecordChangeEvent<SourceRecord>> batch, DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) -> {
      for (RecordChangeEvent<SourceRecord> e : batch) {
        SourceRecord r = e.record();
        if (r.value() instanceof Struct v && v.schema().field("op") != null && events[0] < count) {
          if (events[0] == 0) {
            first[0] = System.nanoTime() / 1e6;
            first[1] = cpuSeconds();
            if (latency && !seen[0]) { seen[0] = true; out.println("seen"); out.flush(); }
          }
          if (latency) {
            Struct after = v.getStruct("after");
            Object sent = after == null ? null : after.get("sent_ms");
            if (sent instanceof Long s && s > 0) delays[(int) events[0]++] = System.currentTimeMillis() - s;
          } else {
            events[0]++;
          }
          if (events[0] == count) done.countDown();
        }
        committer.markProcessed(e);
      }
      committer.markBatchFinished();
    };
    DebeziumEngine<RecordChangeEvent<SourceRecord>> engine = DebeziumEngine.create(ChangeEventFormat.of(io.debezium.embedded.Connect.class))
        .using(p)
        .notifying(consumer)
        .using((success, message, error) -> {
          if (!success) { System.err.println("engine stopped: " + message); if (error != null) error.printStackTrace(); System.exit(3); }
        })
        .build();
    ExecutorService executor = Executors.newSingleThreadExecutor();
    executor.execute(engine);
    done.await();
    double ms = System.nanoTime() / 1e6 - first[0];
    double cpu = cpuSeconds() - first[1];
    StringBuilder json = new StringBuilder("{\"events\":" + events[0] + ",\"ms\":" + ms + ",\"cpuSeconds\":" + cpu + ",\"totalCpuSeconds\":" + cpuSeconds());
    if (latency) {
      json.append(",\"delaysMs\":[");
      for (int i = 0; i < delays.length; i++) json.append(i == 0 ? "" : ",").append(delays[i]);
      json.append(']');
    }
    out.println(json.append('}'));
    out.flush();
    Runtime.getRuntime().halt(0);
  }
}
