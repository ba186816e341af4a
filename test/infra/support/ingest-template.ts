import type { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { type CfnJson, type CfnResource, resourcesOfType } from './test-app.ts';

/** Reading the streaming door's resources out of a synthesized service template. */

/** The one resource of `type` whose logical id contains `idPart`. */
export function only(template: Template, type: string, idPart = ''): [string, CfnResource] {
  const found = resourcesOfType(template, type).filter(([id]) => id.includes(idPart));
  expect(found, `${type} ${idPart}`).toHaveLength(1);
  return found[0] as [string, CfnResource];
}

/** The streaming door's resources carry the `StreamingDoor` construct id in their logical ids. */
export const DOOR = 'StreamingDoor';

/** The ingest container's environment as a name -> value map. */
export function ingestEnvironment(template: Template): Record<string, CfnJson> {
  const [, task] = only(template, 'AWS::ECS::TaskDefinition', DOOR);
  const [container] = task.Properties.ContainerDefinitions as CfnJson[];
  return Object.fromEntries(
    (container.Environment as { Name: string; Value: CfnJson }[]).map((e) => [e.Name, e.Value]),
  );
}

/** `{ Ref: id }` or `{ Fn::GetAtt: [id, ...] }` -> id. */
export function referenced(value: CfnJson): string | undefined {
  if (value?.Ref) return value.Ref as string;
  const getAtt = value?.['Fn::GetAtt'];
  return Array.isArray(getAtt) ? (getAtt[0] as string) : undefined;
}

/** The statements of the policies attached to the role with logical id `roleId`. */
export function roleStatements(template: Template, roleId: string): CfnJson[] {
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      (policy.Properties.Roles as CfnJson[]).some((role) => referenced(role) === roleId),
    )
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as CfnJson[]);
}

/** A statement's actions as a sorted list. */
export function actionsOf(statement: CfnJson): string[] {
  return [statement.Action].flat().sort() as string[];
}
