import { ChangeMessageVisibilityCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';

/** The shortest hand-back: the message is receivable again a second later. */
export const MIN_VISIBILITY_SECONDS = 1;

export type SetVisibility = (message: Message, seconds: number) => Promise<void>;

/**
 * Shows a received message again after `seconds` (at least MIN_VISIBILITY_SECONDS); a failure
 * goes to `onError` (the message then reappears when its visibility runs out).
 */
export function visibilitySetter(
  sqs: SQSClient,
  queueUrl: string,
  onError: (error: Error, message: Message | undefined) => void,
): SetVisibility {
  return async (message, seconds) => {
    try {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          // Never 0: fauxqs 2.4.1 with persistence drops a message whose visibility is set to 0
          // (it is neither in flight nor ready afterwards). One second costs nothing on AWS.
          VisibilityTimeout: Math.max(MIN_VISIBILITY_SECONDS, seconds),
        }),
      );
    } catch (error) {
      onError(error instanceof Error ? error : new Error(String(error)), message);
    }
  };
}
