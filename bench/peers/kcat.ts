/**
 * kcat (librdkafka), Debian's package: `kcat -P -z lz4 -X acks=all -l <file>` for file -> Kafka,
 * and `kcat -C -e | kcat -P` for Kafka -> Kafka. Both end by themselves.
 */
import { need, startIn, type PeerRunner } from './job.js';

function produceArgs(brokers: string[], topic: string): string[] {
  return ['-P', '-b', brokers.join(','), '-t', topic, '-z', 'lz4', '-X', 'acks=all'];
}

export const kcat: PeerRunner = (job) => {
  const topic = need(job, 'topic');
  switch (job.workload) {
    case 'file-kafka':
      return startIn(job, 'kcat', [...produceArgs(job.brokers, topic), '-l', need(job, 'input')]);
    case 'kafka-kafka': {
      const consume = ['kcat', '-C', '-q', '-e', '-o', 'beginning', '-b', job.brokers.join(','), '-t', need(job, 'sourceTopic')];
      const pipe = `${consume.join(' ')} | kcat ${produceArgs(job.brokers, topic).join(' ')}`;
      return startIn(job, 'bash', ['-c', pipe]);
    }
    case 'file-file':
      throw new Error('kcat has no file -> file mode');
  }
};
