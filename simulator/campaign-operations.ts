/**
 * Preview dialing on `/api/v2/me/outbound-campaigns/<campaign-name>`: StartPreviewSession,
 * GetPreviewRecord and EndPreviewSession. A session belongs to one user and one campaign and hands out
 * the records of its own small calling list, one per GetPreviewRecord; once they are all out, the
 * PreviewRecord answer carries no record, which is how "the list is empty" looks.
 */
import { randomUUID } from 'node:crypto';
import type { KnownRecords } from './known-records.js';
import { outbound, userEvent, withoutUndefined, type Subject } from './notifications.js';
import type { OperationPlan } from './operation-plan.js';
import type { CheckedRequest, Refusal } from './operation-rules.js';

/**
 * Where a PreviewRecord carries its record handle. The public sample is cut short before it, so the
 * simulator can put it in `record.recordHandle`, in `record.userData.GSW_RECORD_HANDLE` or in both.
 */
export type PreviewHandleIn = 'record' | 'userData' | 'both';

export const PREVIEW_HANDLE_IN: readonly PreviewHandleIn[] = ['record', 'userData', 'both'];

export interface CampaignOperationContext {
  request: CheckedRequest;
  user: string;
  /** The campaign name of the path, decoded. */
  campaignName: string;
  /** Records of the calling list of a session started now. */
  listSize: number;
  handleIn: PreviewHandleIn;
  startedNs: bigint;
}

interface PreviewRecord {
  handle: number;
  phone: string;
  customer: string;
}

interface Session {
  callingList: string;
  records: PreviewRecord[];
}

const MAX_SESSIONS = 1000;
/** OCS call result `Unknown`: a record not dialled yet. */
const UNKNOWN = 28;

export class PreviewSessions {
  readonly #sessions = new Map<string, Session>();
  readonly #records: KnownRecords;

  constructor(records: KnownRecords) {
    this.#records = records;
  }

  /** The plan of a campaign operation, or statusCode 2 when it needs a session the user has not started. */
  plan(context: CampaignOperationContext): OperationPlan | Refusal {
    const { request, campaignName, startedNs } = context;
    const key = JSON.stringify([context.user, campaignName]);
    const params = request.params;
    const subject: Subject = {
      operationName: request.operationName,
      campaignName,
      applicationId: params.applicationId as number,
      devicePath: params.devicePath as string,
      referenceId: params.referenceId as string | undefined,
      ackType: request.rule.ack,
      messageType: request.rule.messageType,
    };
    const session = this.#sessions.get(key);
    const campaignMessage = (campaign: Record<string, unknown>) =>
      outbound(subject, { campaign, notificationType: subject.ackType, messageType: subject.messageType });

    if (request.operationName === 'StartPreviewSession') {
      return {
        subject,
        before: [],
        answer: campaignMessage({
          name: campaignName,
          dialingMode: 'Preview',
          groupName: 'Preview Agents',
          state: 'Running',
          devicePath: subject.devicePath,
          applicationId: subject.applicationId,
          groupDescription: 'Agents of the simulated preview campaign',
          description: `Simulated preview campaign ${campaignName}`,
        }),
        // Starting a session that runs already keeps it (and what is left of its list).
        commit: () => {
          if (!session) this.#start(key, campaignName, context.listSize);
        },
        startedNs,
      };
    }
    if (!session) {
      return {
        httpStatus: 400,
        statusCode: 2,
        statusMessage: `No preview session for campaign ${campaignName}: start one with StartPreviewSession first`,
      };
    }
    if (request.operationName === 'EndPreviewSession') {
      return {
        subject,
        before: [],
        answer: campaignMessage({ name: campaignName, state: 'Stopped', devicePath: subject.devicePath, applicationId: subject.applicationId }),
        commit: () => {
          this.#sessions.delete(key);
        },
        startedNs,
      };
    }

    const next = session.records[0];
    subject.callingList = session.callingList;
    if (next === undefined) {
      return { subject, before: [], answer: outbound(subject, { notificationType: subject.ackType, messageType: subject.messageType }), commit: () => {}, startedNs };
    }
    const inRecord = context.handleIn !== 'userData';
    const inUserData = context.handleIn !== 'record';
    return {
      subject,
      before: [],
      answer: outbound(subject, {
        record: withoutUndefined({
          recordHandle: inRecord ? next.handle : undefined,
          callingList: session.callingList,
          campaignName,
          applicationId: subject.applicationId,
          devicePath: subject.devicePath,
          userData: withoutUndefined({
            GSW_CALLING_LIST: session.callingList,
            GSW_CAMPAIGN_NAME: campaignName,
            GSW_APPLICATION_ID: subject.applicationId,
            GSW_PHONE: next.phone,
            GSW_CALL_RESULT: UNKNOWN,
            GSW_ATTEMPTS: 0,
            GSW_TZ_NAME: 'GMT',
            GSW_TZ_OFFSET: 0,
            GSW_CALL_ATTEMPT_GUID: randomUUID().toUpperCase(),
            GSW_USER_EVENT: 'PreviewRecord',
            GSW_RECORD_HANDLE: inUserData ? next.handle : undefined,
            CustomerName: next.customer,
            AccountNumber: `AC-${next.handle}`,
          }),
        }),
        notificationType: subject.ackType,
        messageType: subject.messageType,
      }),
      userEvent: userEvent(subject, {
        GSW_CALLING_LIST: session.callingList,
        GSW_APPLICATION_ID: subject.applicationId,
        GSW_RECORD_HANDLE: next.handle,
        GSW_USER_EVENT: 'PreviewRecord',
        GSW_CAMPAIGN_NAME: campaignName,
        GSW_PHONE: next.phone,
      }, startedNs),
      commit: () => {
        session.records.shift();
        this.#records.remember(next.handle, session.callingList);
      },
      startedNs,
    };
  }

  /** Preview sessions running now, of all users. */
  get size(): number {
    return this.#sessions.size;
  }

  #start(key: string, campaignName: string, listSize: number): void {
    const records: PreviewRecord[] = [];
    for (let i = 1; i <= listSize; i++) {
      const handle = this.#records.newHandle();
      records.push({ handle, phone: `555020${String(handle % 10000).padStart(4, '0')}`, customer: `Customer ${i}` });
    }
    this.#sessions.set(key, { callingList: `${campaignName}_CallingList`, records });
    if (this.#sessions.size > MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value as string);
  }
}
