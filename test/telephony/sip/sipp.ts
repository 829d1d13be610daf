/**
 * Runs sipp (Debian's `sip-tester`) as a real peer in tests: each run gets its own signalling,
 * control and media ports, a scenario written to a temporary folder, and a hard time limit.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

let mediaCursor = 40_000 + Math.floor(Math.random() * 400) * 20;
const nextMediaPort = () => {
  mediaCursor = mediaCursor >= 49_000 ? 40_000 : mediaCursor + 20;
  return mediaCursor;
};

export interface SippRun {
  port: number;
  exited: Promise<{ code: number | null; output: string }>;
  kill(): void;
}

/** Starts sipp with `scenario` (XML text); `target` is `host:port` for a uac, omitted for a uas. */
export async function sipp(
  scenario: string,
  opts: {
    target?: string;
    extra?: string[];
    timeoutS?: number;
    port?: number;
    files?: string[];
    /** Calls to make or take (default 1); `rate` per second and `limit` at once for a uac. */
    calls?: number;
    rate?: number;
    limit?: number;
  } = {},
): Promise<SippRun> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sipp-'));
  const file = path.join(dir, 'scenario.xml');
  await writeFile(file, scenario);
  // sipp looks for pcaps beside the scenario.
  for (const f of opts.files ?? []) await copyFile(f, path.join(dir, path.basename(f)));
  const port = opts.port ?? (await freeUdpPort());
  const args = [
    '-sf',
    file,
    '-i',
    '127.0.0.1',
    '-p',
    String(port),
    '-cp',
    String(await freeUdpPort()),
    '-mp',
    String(nextMediaPort()),
    '-m',
    String(opts.calls ?? 1),
    ...(opts.rate ? ['-r', String(opts.rate)] : []),
    ...(opts.limit ? ['-l', String(opts.limit)] : []),
    '-nostdin',
    '-timeout',
    `${opts.timeoutS ?? 20}s`,
    '-timeout_error',
    '-trace_err',
    '-error_file',
    path.join(dir, 'errors.log'),
    ...(opts.extra ?? []),
    ...(opts.target ? [opts.target] : []),
  ];
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (b) => {
    output = (output + b.toString()).slice(-4000);
  });
  child.stderr.on('data', (b) => {
    output = (output + b.toString()).slice(-4000);
  });
  const exited = new Promise<{ code: number | null; output: string }>((resolve) => {
    child.on('close', async (code) => {
      const errors = await readFile(path.join(dir, 'errors.log'), 'utf8').catch(() => '');
      resolve({ code, output: `${errors}\n${output.slice(-1500)}` });
    });
  });
  return { port, exited, kill: () => child.kill('SIGKILL') };
}

const SDP_OFFER = `v=0
o=sipp 1 1 IN IP4 [local_ip]
s=-
c=IN IP4 [media_ip]
t=0 0
m=audio [media_port] RTP/AVP 0 8 96
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:96 telephone-event/8000
a=fmtp:96 0-15`;

const INVITE = (to: string, codecs = '0 8') => `
  <send retrans="500">
    <![CDATA[
      INVITE sip:${to}@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-inv-[pid]-[call_number]
      From: "Caller" <sip:+15557654321@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:${to}@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

${codecs === '0 8' ? SDP_OFFER : SDP_OFFER.replace('RTP/AVP 0 8 96', `RTP/AVP ${codecs} 96`).replace('a=rtpmap:0 PCMU/8000\n', '')}
    ]]>
  </send>`;

const IN_DIALOG = (method: string, cseq: number) => `
  <send${method === 'ACK' ? '' : ' retrans="500"'}>
    <![CDATA[
      ${method} [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: "Caller" <sip:+15557654321@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: ${cseq} ${method}
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>`;

/** An in-dialog re-INVITE carrying our offer with `direction`; the 200 must answer with `expect`. */
const REINVITE = (cseq: number, direction: string, expect: string) => `
  <send retrans="500">
    <![CDATA[
      INVITE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: "Caller" <sip:+15557654321@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: ${cseq} INVITE
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

${SDP_OFFER.replace('o=sipp 1 1', `o=sipp 1 ${cseq}`)}
a=${direction}
    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="200">
    <action><ereg regexp="a=${expect}" search_in="body" check_it="true" assign_to="dir${cseq}"/></action>
  </recv>
  ${IN_DIALOG('ACK', cseq)}`;

const ANSWER_OK = `
  <send>
    <![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:sipp@[local_ip]:[local_port]>
      Content-Length: 0
    ]]>
  </send>`;

const wrap = (body: string) => `<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="switchboard test">${body}
</scenario>`;

/** A caller: INVITE, wait for the answer, ACK, optionally press a digit, then hang up (or be hung up). */
export function uacScenario(opts: {
  to: string;
  holdMs: number;
  hangup: 'caller' | 'remote';
  dtmf?: string;
  /** Wait this long after the ACK before pressing `dtmf` (the engine starts listening once it answers). */
  dtmfAfterMs?: number;
  /** Payload types offered (default PCMU and PCMA); '8' with `pcap` plays sipp's A-law sample. */
  codecs?: string;
  pcap?: string;
  /** Puts us on hold from the phone (re-INVITE `sendonly`) and takes us off it again, then hangs up. */
  phoneHold?: boolean;
}): string {
  const hold = opts.phoneHold
    ? `${REINVITE(2, 'sendonly', 'recvonly')}\n  <pause milliseconds="300"/>${REINVITE(3, 'sendrecv', 'sendrecv')}
  <Reference variables="dir2,dir3"/>`
    : '';
  const after =
    opts.hangup === 'caller'
      ? `${IN_DIALOG('BYE', opts.phoneHold ? 4 : 2)}\n  <recv response="200" crlf="true"/>`
      : `\n  <recv request="BYE"/>${ANSWER_OK}`;
  return wrap(`${INVITE(opts.to, opts.codecs)}
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="200" rrs="true"/>
  ${IN_DIALOG('ACK', 1)}
  ${opts.dtmf && opts.dtmfAfterMs ? `<pause milliseconds="${opts.dtmfAfterMs}"/>` : ''}
  ${opts.dtmf ? `<nop><action><exec play_dtmf="${opts.dtmf}"/></action></nop>` : ''}
  ${opts.pcap ? `<nop><action><exec play_pcap_audio="${opts.pcap}"/></action></nop>` : ''}
  ${hold}
  ${opts.hangup === 'caller' ? `<pause milliseconds="${opts.holdMs}"/>` : ''}
  ${after}`);
}

/** A caller that gives up while it rings: CANCEL on the INVITE's branch, then ACK the 487. */
export function uacCancelScenario(to: string): string {
  const hdr = (method: string, extra = '') => `
  <send>
    <![CDATA[
      ${method} sip:${to}@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=z9hG4bK-inv-[pid]-[call_number]
      From: "Caller" <sip:+15557654321@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:${to}@[remote_ip]:[remote_port]>${extra}
      Call-ID: [call_id]
      CSeq: 1 ${method}
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>`;
  return wrap(`${INVITE(to)}
  <recv response="100" optional="true"/>
  <recv response="180"/>
  <pause milliseconds="300"/>
  ${hdr('CANCEL')}
  <recv response="200"/>
  <recv response="487"/>
  ${hdr('ACK', '[peer_tag_param]')}`);
}

const UAS_RESPONSE = (status: string, sdp: boolean) => `
  <send${status.startsWith('200') ? ' retrans="500"' : ''}>
    <![CDATA[
      SIP/2.0 ${status}
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:target@[local_ip]:[local_port]>
      ${sdp ? 'Content-Type: application/sdp' : ''}
      Content-Length: [len]
${
  sdp
    ? `\n${SDP_OFFER.replace('RTP/AVP 0 8 96', 'RTP/AVP 0 101')
        .replace(/a=rtpmap:8 PCMA\/8000\n/, '')
        .replace(/96/g, '101')}`
    : ''
}
    ]]>
  </send>`;

/** A NOTIFY of a REFER's progress (RFC 3515) whose sipfrag must carry `status` and the subscription `state`. */
const NOTIFY_SIPFRAG = (status: string, state: string, name: string) => `
  <recv request="NOTIFY">
    <action>
      <ereg regexp="^SIP/2.0 ${status} " search_in="body" check_it="true" assign_to="${name}"/>
      <ereg regexp="${state}" search_in="hdr" header="Subscription-State:" check_it="true" assign_to="${name}_state"/>
    </action>
  </recv>`;

/**
 * A target: answer (and wait for our BYE, or hang up itself), be busy, or ring until CANCELled; with
 * `refer`, answer and then transfer the caller to `referTo` (REFER, 202, NOTIFY 100 Trying, NOTIFY with
 * the transfer target's final status `referFinal`) and wait for our BYE.
 */
export function uasScenario(
  kind: 'answer' | 'answer-then-hangup' | 'busy' | 'no-answer' | 'refer',
  holdMs = 500,
  referTo = '',
  referFinal = '200',
): string {
  const invite = `\n  <recv request="INVITE" crlf="true"/>`;
  if (kind === 'busy')
    return wrap(`${invite}${UAS_RESPONSE('486 Busy Here', false)}\n  <recv request="ACK"/>`);
  if (kind === 'no-answer')
    return wrap(`${invite}${UAS_RESPONSE('180 Ringing', false)}
  <recv request="CANCEL"/>
  ${ANSWER_OK}
  <send>
    <![CDATA[
      SIP/2.0 487 Request Terminated
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]SIPpTag01[call_number]
      [last_Call-ID:]
      CSeq: 1 INVITE
      Content-Length: 0
    ]]>
  </send>
  <recv request="ACK"/>`);
  const refer = `\n  <pause milliseconds="${holdMs}"/>
  <send retrans="500">
    <![CDATA[
      REFER [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <sip:target@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
      To: [$from]
      Call-ID: [call_id]
      CSeq: 2 REFER
      Contact: <sip:target@[local_ip]:[local_port]>
      Refer-To: <${referTo}>
      Referred-By: <sip:target@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="202"/>
  ${NOTIFY_SIPFRAG('100', 'active', 'trying')}${ANSWER_OK}
  ${NOTIFY_SIPFRAG(referFinal, 'terminated', 'final')}${ANSWER_OK}
  <recv request="BYE"/>${ANSWER_OK}
  <Reference variables="trying,trying_state,final,final_state"/>`;
  const ending =
    kind === 'answer'
      ? `\n  <recv request="BYE"/>${ANSWER_OK}`
      : kind === 'refer'
        ? refer
        : `\n  <pause milliseconds="${holdMs}"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      [routes]
      From: <sip:target@[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
      To: [$from]
      Call-ID: [call_id]
      CSeq: 1 BYE
      Max-Forwards: 70
      Content-Length: 0
    ]]>
  </send>
  <recv response="200"/>`;
  const recvInvite =
    kind === 'answer'
      ? invite
      : invite.replace(
          'crlf="true"/>',
          'crlf="true" rrs="true"><action><ereg regexp=".*" search_in="hdr" header="From:" assign_to="from"/></action></recv>',
        );
  return wrap(`${recvInvite}${UAS_RESPONSE('180 Ringing', false)}${UAS_RESPONSE('200 OK', true)}
  <recv request="ACK" crlf="true"/>${ending}`);
}
