import java.util.Collection;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;

/**
 * Readiness probe used by `kafka.sh wait`: polls Admin#describeCluster until the
 * broker answers a metadata request and reports at least one live (unfenced)
 * broker and an active controller, or the deadline passes.
 *
 * Usage: KafkaReady <bootstrap> <timeoutSeconds>
 * Exit status: 0 ready, 1 timed out, 2 bad usage.
 */
public final class KafkaReady {
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: KafkaReady <bootstrap> <timeoutSeconds>");
      System.exit(2);
    }
    String bootstrap = args[0];
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "2000");
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "100");
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
    props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "100");
    String last = "no answer yet";
    try (Admin admin = Admin.create(props)) {
      while (System.nanoTime() < deadline) {
        try {
          DescribeClusterResult r = admin.describeCluster();
          Collection<Node> nodes = r.nodes().get(3, TimeUnit.SECONDS);
          Node controller = r.controller().get(3, TimeUnit.SECONDS);
          String clusterId = r.clusterId().get(3, TimeUnit.SECONDS);
          if (!nodes.isEmpty() && controller != null && !controller.isEmpty()) {
            System.out.println("ready: " + bootstrap + " cluster=" + clusterId + " brokers=" + nodes.size()
                + " controller=" + controller.id());
            return;
          }
          last = "cluster answered but has no live broker/controller yet";
        } catch (Exception e) {
          Throwable c = e.getCause() != null ? e.getCause() : e;
          last = c.getClass().getSimpleName() + ": " + c.getMessage();
        }
        Thread.sleep(200);
      }
    }
    System.err.println("not ready: " + bootstrap + " (" + last + ")");
    System.exit(1);
  }
}
