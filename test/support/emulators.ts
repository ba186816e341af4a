import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { type AwsClients, createAwsClients } from '../../adapters/aws/clients.ts';
import { DynamoJobRepository } from '../../adapters/aws/dynamo-job-repository.ts';
import { DynamoKeyStore } from '../../adapters/aws/dynamo-key-store.ts';
import { S3ObjectStore } from '../../adapters/aws/s3-object-store.ts';
import { type EmulatorOptions, type Emulators, startEmulators } from '../../local/emulators.ts';

/**
 * Emulators for one integration test file: started on port 0, their environment put into
 * process.env (so handler modules imported afterwards read it), real SDK adapters on top.
 */
export interface EmulatedAws {
  readonly emulators: Emulators;
  readonly clients: AwsClients;
  readonly repo: DynamoJobRepository;
  readonly keys: DynamoKeyStore;
  readonly inputs: S3ObjectStore;
  readonly outputs: S3ObjectStore;
  /** Receives (and by default deletes) up to 10 messages from a queue. */
  receive(
    queueUrl: string,
    options?: { keep?: boolean; waitSeconds?: number },
  ): Promise<{ body: string; receiveCount: number }[]>;
  stop(): Promise<void>;
}

export async function startEmulatedAws(
  options: EmulatorOptions = {},
  extraEnv: Record<string, string> = {},
): Promise<EmulatedAws> {
  const emulators = await startEmulators(options);
  Object.assign(process.env, emulators.env(), extraEnv);
  const clients = createAwsClients({ region: emulators.region, endpoints: emulators.endpoints });
  const { resources } = emulators;
  return {
    emulators,
    clients,
    repo: new DynamoJobRepository(clients.dynamo, resources.jobsTable),
    keys: new DynamoKeyStore(clients.dynamo, resources.keysTable),
    inputs: new S3ObjectStore(clients.s3, clients.s3Presign, resources.inputBucket),
    outputs: new S3ObjectStore(clients.s3, clients.s3Presign, resources.outputBucket),
    async receive(queueUrl, receiveOptions = {}) {
      const out = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: receiveOptions.waitSeconds ?? 0,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      const messages = out.Messages ?? [];
      if (!receiveOptions.keep) {
        for (const m of messages) {
          await clients.sqs.send(
            new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }),
          );
        }
      }
      return messages.map((m) => ({
        body: m.Body ?? '',
        receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
      }));
    },
    async stop() {
      clients.s3.destroy();
      clients.s3Presign.destroy();
      clients.sqs.destroy();
      clients.dynamo.destroy();
      await emulators.stop();
    },
  };
}
