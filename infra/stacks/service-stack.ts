import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { ContainerImage } from 'aws-cdk-lib/aws-ecs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { LOG_LEVEL_ENV } from '../../adapters/observability/log.ts';
import { WEBHOOK_ENV } from '../../core/webhooks/webhook-settings.ts';
import type { CutoutConfig } from '../config.ts';
import { AlarmTopic } from '../constructs/alarm-topic.ts';
import { DeadLetterHandler } from '../constructs/dead-letter-handler.ts';
import { API_STAGE, JobApi } from '../constructs/job-api.ts';
import { NodeFunction, PROJECT_ROOT } from '../constructs/node-function.ts';
import { QueueWorker } from '../constructs/queue-worker.ts';
import { Reconciler } from '../constructs/reconciler.ts';
import { ServiceMonitoring } from '../constructs/service-monitoring.ts';
import { StreamingFrontDoor } from '../constructs/streaming-front-door.ts';
import { UploadTrigger } from '../constructs/upload-trigger.ts';
import { WebhookDelivery } from '../constructs/webhook-delivery.ts';
import { WorkerCluster } from '../constructs/worker-cluster.ts';
import { WorkerNetwork } from '../constructs/worker-network.ts';
import { bucketName } from '../resource-names.ts';
import type { StorageStack } from './storage-stack.ts';

export interface ServiceStackProps extends StackProps {
  readonly config: CutoutConfig;
  readonly storage: StorageStack;
}

/** The names `cutout keys create --stack` and the README read from the stack's outputs. */
export const SERVICE_OUTPUTS = {
  apiEndpoint: 'ApiEndpoint',
  apiUrl: 'ApiUrl',
  inputBucket: 'InputBucketName',
  outputBucket: 'OutputBucketName',
  jobsTable: 'JobsTableName',
  keysTable: 'KeysTableName',
  usagePlanId: 'UsagePlanId',
  alarmTopic: 'AlarmTopicArn',
  dashboard: 'DashboardName',
  createFirstKey: 'CreateFirstKey',
} as const;

/** Outputs of `cutout:ingest=streaming` only. */
export const INGEST_OUTPUTS = {
  /** The streaming door's base URL. */
  ingestUrl: 'IngestUrl',
  /** With a certificate and no hosted zone: where the domain's DNS must point. */
  ingestDnsTarget: 'IngestDnsTarget',
} as const;

/**
 * Everything stateless: the API and its Lambdas, the upload and dead-letter handlers, the
 * worker cluster and services, alarms and the dashboard. It can be destroyed and redeployed
 * freely; the data lives in the storage stack.
 */
export class ServiceStack extends Stack {
  readonly api: JobApi;
  readonly workers: WorkerCluster;
  readonly imageWorkers: QueueWorker;
  readonly videoWorkers: QueueWorker;
  readonly monitoring: ServiceMonitoring;
  readonly reconciler: Reconciler;
  readonly webhooks: WebhookDelivery;
  readonly uploads: UploadTrigger;
  /** Present with `cutout:ingest=streaming`. */
  readonly frontDoor?: StreamingFrontDoor;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { config, storage } = props;
    const logRetention = config.logRetentionDays as RetentionDays;
    // Addressed by name, not by reference: see resource-names.ts.
    this.addStackDependency(storage);
    const inputs = Bucket.fromBucketName(this, 'Inputs', bucketName(config.stage, 'inputs'));
    const outputs = Bucket.fromBucketName(this, 'Outputs', bucketName(config.stage, 'outputs'));
    const { jobs, keys } = storage.tables;
    const queues = storage.queues;

    this.api = new JobApi(this, 'Api', {
      stage: config.stage,
      jobsTable: jobs,
      keysTable: keys,
      inputBucket: inputs,
      outputBucket: outputs,
      imageQueue: queues.image,
      videoQueue: queues.video,
      jobTtlDays: config.jobTtlDays,
      inlineLimitBytes: config.inlineLimitBytes,
      maxImageBytes: config.maxImageBytes,
      availableModels: config.workerModels,
      bindResultsToKey: config.bindResultsToKey,
      commercialSafeOnly: config.commercialSafeOnly,
      pollRateLimit: config.pollRateLimit,
      pollBurstLimit: config.pollBurstLimit,
      logRetention,
      rateLimit: config.apiRateLimit,
      burstLimit: config.apiBurstLimit,
      dailyQuota: config.apiDailyQuota,
      bundleMetafile: config.bundleMetafile,
    });
    const alarms = new AlarmTopic(this, 'Alarms', { email: config.alarmEmail });
    const alarmAction = new SnsAction(alarms.topic);
    const uploads = new UploadTrigger(this, 'Uploads', {
      jobsTable: jobs,
      inputBucket: inputs,
      imageQueue: queues.image,
      videoQueue: queues.video,
      jobTtlDays: config.jobTtlDays,
      logRetention,
      bundleMetafile: config.bundleMetafile,
      alarmAction,
    });
    this.uploads = uploads;
    this.reconciler = new Reconciler(this, 'Reconciler', {
      jobsTable: jobs,
      inputBucket: inputs,
      imageQueue: queues.image,
      videoQueue: queues.video,
      logRetention,
      bundleMetafile: config.bundleMetafile,
      queuedAfterSeconds: config.reconcileQueuedAfterSeconds,
      alarmAction,
    });
    const deadLetters = new DeadLetterHandler(this, 'DeadLetters', {
      jobsTable: jobs,
      deadLetterQueues: [queues.imageDeadLetter, queues.videoDeadLetter],
      logRetention,
      bundleMetafile: config.bundleMetafile,
    });
    this.webhooks = new WebhookDelivery(this, 'Webhooks', {
      jobsTable: jobs,
      keysTable: keys,
      outputBucket: outputs,
      logRetention,
      bundleMetafile: config.bundleMetafile,
      removalPolicy: RemovalPolicy.DESTROY,
      alarmAction,
    });
    // Whoever ends a file reports it, so a finished job's event is sent (core/webhooks/).
    for (const fn of [deadLetters.handler.function, this.reconciler.handler.function]) {
      fn.addEnvironment(WEBHOOK_ENV.queueUrl, this.webhooks.queue.queueUrl);
    }
    this.webhooks.grantNotify(deadLetters.handler.function, jobs);
    // The reconciler already reads and updates job items and queries the pending index.
    this.webhooks.queue.grantSendMessages(this.reconciler.handler.function);

    const streaming = config.ingest === 'streaming';
    const network = new WorkerNetwork(this, 'Network', {
      logRetention,
      originSubnets: streaming && config.ingestHttps === 'cloudfront',
    });
    this.workers = new WorkerCluster(this, 'Workers', {
      vpc: network.vpc,
      compute: config.workerCompute,
      instanceTypes: config.instanceTypes,
      maxInstances: config.maxImageWorkers + config.maxVideoWorkers,
      spot: config.spot,
      stage: config.stage,
      notificationsTopic: alarms.topic,
      logRetention,
    });
    // The build context is the repository root (the worker imports core/ and adapters/);
    // .dockerignore keeps it small. Synth only stages it: Docker runs at `cdk deploy`.
    const image = ContainerImage.fromAsset(PROJECT_ROOT, {
      file: 'containers/worker/Dockerfile',
      platform: Platform.LINUX_AMD64,
      // The weights baked in: the same list /v1/convert accepts (CUTOUT_AVAILABLE_MODELS).
      buildArgs: { MODELS: config.workerModels.join(' ') },
    });
    const worker = (kind: 'image' | 'video') =>
      new QueueWorker(this, kind === 'image' ? 'ImageWorkers' : 'VideoWorkers', {
        kind,
        cluster: this.workers,
        image,
        queue: kind === 'image' ? queues.image : queues.video,
        jobsTable: jobs,
        inputBucket: inputs,
        outputBucket: outputs,
        maxImageBytes: config.maxImageBytes,
        minWorkers: kind === 'image' ? config.minWorkers : 0,
        maxWorkers: kind === 'image' ? config.maxImageWorkers : config.maxVideoWorkers,
        spot: config.spot,
        logRetention,
      });
    this.imageWorkers = worker('image');
    this.videoWorkers = worker('video');
    for (const workers of [this.imageWorkers, this.videoWorkers]) {
      workers.taskDefinition.defaultContainer?.addEnvironment(
        WEBHOOK_ENV.queueUrl,
        this.webhooks.queue.queueUrl,
      );
      this.webhooks.grantNotify(workers.taskDefinition.taskRole, jobs);
    }
    for (const workers of [this.imageWorkers, this.videoWorkers]) {
      workers.service.node.addDependency(this.workers.insightsLogs);
    }
    if (streaming) {
      this.frontDoor = new StreamingFrontDoor(this, 'StreamingDoor', {
        config,
        vpc: network.vpc,
        cluster: this.workers.cluster,
        alarmTopic: alarms.topic,
        jobsTable: jobs,
        keysTable: keys,
        inputBucket: inputs,
        outputBucket: outputs,
        imageQueue: queues.image,
        videoQueue: queues.video,
        logRetention,
      });
      this.frontDoor.ingest.service.node.addDependency(this.workers.insightsLogs);
    }
    // One level for every function and worker: found in the tree, so a new function gets it too.
    for (const fn of this.node.findAll()) {
      if (fn instanceof NodeFunction) fn.function.addEnvironment(LOG_LEVEL_ENV, config.logLevel);
    }
    for (const workers of [this.imageWorkers, this.videoWorkers]) {
      workers.taskDefinition.defaultContainer?.addEnvironment(LOG_LEVEL_ENV, config.logLevel);
    }

    this.monitoring = new ServiceMonitoring(this, 'Monitoring', {
      stage: config.stage,
      topic: alarms.topic,
      api: this.api.api,
      functions: {
        convert: this.api.functions.convert.function,
        results: this.api.functions.results.function,
        files: this.api.functions.files.function,
        authorizer: this.api.functions.authorizer.function,
        'on-upload': uploads.handler.function,
        'on-dead-letter': deadLetters.handler.function,
        reconciler: this.reconciler.handler.function,
        'deliver-webhook': this.webhooks.handler.function,
      },
      queues: [
        {
          kind: 'image',
          queue: queues.image,
          deadLetterQueue: queues.imageDeadLetter,
          // A cold start from zero GPU hosts takes 4-10 minutes.
          maxMessageAge: Duration.minutes(15),
          workers: this.imageWorkers.service,
          workerLogs: this.imageWorkers.logGroup,
        },
        {
          kind: 'video',
          queue: queues.video,
          deadLetterQueue: queues.videoDeadLetter,
          maxMessageAge: Duration.hours(1),
          workers: this.videoWorkers.service,
          workerLogs: this.videoWorkers.logGroup,
        },
      ],
      clusterName: this.workers.cluster.clusterName,
    });

    const endpoint = `https://${this.api.api.restApiId}.execute-api.${this.region}.${this.urlSuffix}`;
    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    output(
      SERVICE_OUTPUTS.apiEndpoint,
      endpoint,
      `Host to give clients: they call ${endpoint}/${API_STAGE}/convert`,
    );
    output(SERVICE_OUTPUTS.apiUrl, this.api.api.url, 'Base URL of the v1 API');
    output(SERVICE_OUTPUTS.inputBucket, inputs.bucketName, 'Uploads; drop files under incoming/');
    output(SERVICE_OUTPUTS.outputBucket, outputs.bucketName, 'Results');
    output(SERVICE_OUTPUTS.jobsTable, jobs.tableName, 'Jobs and files');
    output(SERVICE_OUTPUTS.keysTable, keys.tableName, 'API key hashes');
    output(SERVICE_OUTPUTS.usagePlanId, this.api.usagePlan.usagePlanId, 'Per-key usage plan');
    output(SERVICE_OUTPUTS.alarmTopic, alarms.topic.topicArn, 'Subscribe here for alarms');
    output(
      SERVICE_OUTPUTS.dashboard,
      this.monitoring.dashboard.dashboardName,
      'CloudWatch dashboard',
    );
    output(
      SERVICE_OUTPUTS.createFirstKey,
      `npx cutout keys create --stack ${this.stackName} --name first-key`,
      'Creates an API key in this deployment and prints it once',
    );
    if (this.frontDoor) {
      output(
        INGEST_OUTPUTS.ingestUrl,
        this.frontDoor.url,
        `Streaming front door: clients call ${this.frontDoor.url}/v1/convert (files of any size inline)`,
      );
      if (this.frontDoor.dnsTarget) {
        output(
          INGEST_OUTPUTS.ingestDnsTarget,
          this.frontDoor.dnsTarget,
          `Point ${config.ingestDomainName} here (CNAME, or a Route 53 alias)`,
        );
      }
    }
  }
}
