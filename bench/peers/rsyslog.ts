/**
 * rsyslog (Debian's rsyslogd with omkafka from rsyslog-kafka), in the foreground with a config
 * of its own: imfile reads the input from its start; omkafka writes the line (acks=all, LZ4), or
 * omfile appends it with a sync at the end of every batch. Batches of 1000 on the main queue, as
 * millrace's file source reads them. Runs until stopped.
 * omkafka: a file is read far faster than the broker takes it, and at librdkafka's default local
 * queue (100 000 messages) omkafka fails with "Queue full" and rsyslog suspends the action for
 * 30 s and more, dropping the batch; so the queue may hold the whole input (librdkafka's maximum)
 * and a failed batch is retried every second, never dropped, as millrace never drops one.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { need, startIn, type Job, type PeerRunner } from './job.js';

function action(job: Job): string {
  switch (job.workload) {
    case 'file-kafka':
      return (
        `action(type="omkafka" broker=[${job.brokers.map((b) => `"${b}"`).join(',')}] topic="${need(job, 'topic')}" template="line"\n` +
        `       confParam=["compression.codec=lz4", "queue.buffering.max.messages=10000000"] topicConfParam=["acks=all"]\n` +
        `       action.resumeRetryCount="-1" action.resumeInterval="1")`
      );
    case 'file-file':
      return `action(type="omfile" file="${need(job, 'output')}" template="lineLf" sync="on" flushOnTXEnd="on" asyncWriting="off")`;
    case 'kafka-kafka':
      throw new Error('rsyslog is not run for Kafka -> Kafka');
  }
}

export const rsyslog: PeerRunner = (job) => {
  const conf = join(job.dir, 'rsyslog.conf');
  writeFileSync(
    conf,
    `global(workDirectory="${job.dir}" maxMessageSize="64k")
main_queue(queue.dequeueBatchSize="1000")
module(load="imfile" mode="inotify")
module(load="omkafka")
template(name="line" type="string" string="%msg%")
template(name="lineLf" type="string" string="%msg%\\n")
input(type="imfile" file="${need(job, 'input')}" tag="bench" freshStartTail="off" ruleset="out")
ruleset(name="out") {
  ${action(job)}
}
`,
  );
  return startIn(job, 'rsyslogd', ['-n', '-f', conf, '-i', join(job.dir, 'rsyslogd.pid')]);
};
