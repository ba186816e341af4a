import { App } from 'aws-cdk-lib';
import { buildCutoutApp } from './cutout-app.ts';

// `cdk synth` / `cdk deploy` entry (cdk.json: `npx tsx infra/app.ts`); the CLI triggers synth.
buildCutoutApp(new App());
