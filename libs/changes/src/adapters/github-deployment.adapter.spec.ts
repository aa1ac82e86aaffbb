import {
  adaptGithubDeploymentStatus,
  githubSignature,
  verifyGithubSignature,
} from './github-deployment.adapter';
import { fixture, refusal } from './spec-support';

const ID = 'github:Codertocat/Hello-World/deployments/145988746';

describe('adaptGithubDeploymentStatus', () => {
  // https://github.com/octokit/webhooks/blob/main/payload-examples/api.github.com/deployment_status/payload.json
  it('reads a success: the repository’s service deployed, finished at the status’s time', () => {
    const { changes, ignored } = adaptGithubDeploymentStatus(
      'deployment_status',
      fixture('github-deployment-status-success.json'),
    );
    expect(ignored).toEqual([]);
    expect(changes[0].input).toEqual({
      id: ID,
      entity: 'service:Hello-World',
      kind: 'deploy',
      status: 'succeeded',
      startedAt: '2019-05-15T15:20:53Z',
      finishedAt: '2019-05-15T15:20:55Z',
      source: 'github',
      version: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      summary: 'Codertocat/Hello-World: deploy of master (f95f852) to production success',
      links: [
        {
          href: 'https://github.com/Codertocat/Hello-World/commit/f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
          text: 'commit',
        },
      ],
      labels: {
        creator: 'Codertocat',
        environment: 'production',
        ref: 'master',
        repository: 'Codertocat/Hello-World',
        task: 'deploy',
      },
    });
  });

  // https://github.com/octokit/webhooks/blob/main/payload-examples/api.github.com/deployment_status/gh-pages.payload.json
  it('reads in_progress as started (no finish), with the run’s links', () => {
    const { changes } = adaptGithubDeploymentStatus(
      'deployment_status',
      fixture('github-deployment-status-in-progress.json'),
    );
    expect(changes[0].input).toMatchObject({
      entity: 'service:Hello-World',
      status: 'started',
      startedAt: '2022-01-03T01:28:30Z',
      labels: expect.objectContaining({ environment: 'github-pages' }),
    });
    expect(changes[0].input.finishedAt).toBeUndefined();
    expect(changes[0].input.links?.map((l) => l.text)).toEqual(['run', 'log', 'commit']);
  });

  it('maps every state; failure and error fail; inactive and other events are ignored', () => {
    const doc = fixture('github-deployment-status-success.json');
    const statusOf = (state: string) => {
      doc.deployment_status.state = state;
      return adaptGithubDeploymentStatus('deployment_status', doc).changes[0]?.input.status;
    };
    expect(
      ['pending', 'queued', 'waiting', 'in_progress', 'success', 'failure', 'error'].map(statusOf),
    ).toEqual(['started', 'started', 'started', 'started', 'succeeded', 'failed', 'failed']);
    doc.deployment_status.state = 'inactive';
    expect(adaptGithubDeploymentStatus('deployment_status', doc)).toEqual({
      changes: [],
      ignored: [
        {
          path: '/deployment_status/state',
          reason: 'inactive: a later deployment replaced this one; that one is the change',
        },
      ],
    });
    expect(adaptGithubDeploymentStatus('ping', { zen: 'Design for failure.' })).toEqual({
      changes: [],
      ignored: [
        {
          path: 'header:x-github-event',
          reason: '"ping": only deployment_status events are changes',
        },
      ],
    });
    doc.deployment_status.state = 'exploded';
    expect(refusal(() => adaptGithubDeploymentStatus('deployment_status', doc))[0].path).toBe(
      '/deployment_status/state',
    );
  });

  it('takes the service from the options, and refuses a body without a deployment', () => {
    const doc = fixture('github-deployment-status-success.json');
    const change = adaptGithubDeploymentStatus('deployment_status', doc, {
      service: 'billing',
      servicePath: '/service',
    }).changes[0];
    expect([change.input.entity, change.paths.entity]).toEqual(['service:billing', '/service']);
    delete doc.deployment;
    expect(refusal(() => adaptGithubDeploymentStatus('deployment_status', doc))).toEqual([
      { path: '/deployment', reason: 'is required (an object)' },
    ]);
  });
});

describe('verifyGithubSignature', () => {
  const secret = "It's a Secret to Everybody";
  // GitHub's documented test values, "Validating webhook deliveries":
  // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
  it('matches GitHub’s documented example', () => {
    const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(githubSignature(secret, 'Hello, World!')).toBe(signature);
    expect(verifyGithubSignature(secret, signature, 'Hello, World!')).toEqual({ ok: true });
  });

  it('refuses a missing, malformed or wrong signature', () => {
    expect(verifyGithubSignature(secret, undefined, 'x').ok).toBe(false);
    expect(verifyGithubSignature(secret, 'sha1=abc', 'x')).toEqual({
      ok: false,
      reason: 'must look like sha256=<64 hex characters>',
    });
    expect(verifyGithubSignature(secret, githubSignature(secret, 'x'), 'y')).toEqual({
      ok: false,
      reason: 'does not match the body: a different secret, or a changed body',
    });
    expect(verifyGithubSignature('another secret', githubSignature(secret, 'x'), 'x').ok).toBe(
      false,
    );
  });
});
