/** Kafka's rule for topic names: letters, digits, ".", "_" and "-", at most 249 characters. */
export const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;
