import { describe, expect, it } from 'vitest';
import { expandMacros, MACRO_TOKENS, type MacroFacts } from '../../src/domain/macros.js';

const facts: MacroFacts = {
  campaignCid: '0044',
  afid: '0002',
  subId: 'sub 7',
  caller: '+14165551234',
  calledNumber: '+18886064349',
  callDurationS: 121.8,
  callUuid: '0192f817-6fdc-f8b3-eb07-526dd16e2ade',
  recordingUrl: 'https://rec.example.com/r/1.mp3?sig=a&b=c',
  hasOffersCode: 'aff_lsr',
  tags: { geo: 'us-nc', State: 'NC', campaign_id: 'tag-shadowed' },
};

describe('expandMacros: the seed example URLs', () => {
  it('click timer', () => {
    const url = 'http://www.thertrack.com/click.track?CID=[campaign_id]&AFID=[affiliate_id]&SID=[sub_id]';
    expect(expandMacros(url, facts)).toBe(
      'http://www.thertrack.com/click.track?CID=0044&AFID=0002&SID=sub%207',
    );
  });

  it('sale timer with caller, called number and duration', () => {
    const url =
      'http://www.thertrack.com/pixel.track?CID=[campaign_id]&AFID=[affiliate_id]&SID=[sub_id]&MerchantReferenceID=[caller_id]-[called_number]-[call_duration]';
    expect(expandMacros(url, facts)).toBe(
      'http://www.thertrack.com/pixel.track?CID=0044&AFID=0002&SID=sub%207&MerchantReferenceID=%2B14165551234-%2B18886064349-121',
    );
  });

  it('HasOffers URL: the code in path position, the rest encoded as query values', () => {
    const url =
      'http://callpixels.com.go2cloud.org/[has_offers_code]?adv_sub=[call_log_id]-[caller_id]-[called_number]-[call_duration]-[call_recording_url]';
    expect(expandMacros(url, facts)).toBe(
      'http://callpixels.com.go2cloud.org/aff_lsr?adv_sub=0192f817-6fdc-f8b3-eb07-526dd16e2ade-%2B14165551234-%2B18886064349-121-' +
        'https%3A%2F%2Frec.example.com%2Fr%2F1.mp3%3Fsig%3Da%26b%3Dc',
    );
  });

  it('default_sale_url of the companies example', () => {
    const url =
      'http://callpixels.com/p.ashx?o=[campaign_id]&t=[call_log_id]-[caller_id]-[called_number]-[call_duration]-[call_recording_url]';
    const out = expandMacros(url, { ...facts, recordingUrl: null });
    expect(out).toBe(
      'http://callpixels.com/p.ashx?o=0044&t=0192f817-6fdc-f8b3-eb07-526dd16e2ade-%2B14165551234-%2B18886064349-121-',
    );
  });
});

describe('expandMacros: rules', () => {
  it('knows every built-in token of the seed', () => {
    expect([...MACRO_TOKENS].sort()).toEqual(
      [
        'affiliate_id',
        'call_duration',
        'call_log_id',
        'call_recording_url',
        'called_number',
        'caller_id',
        'campaign_id',
        'has_offers_code',
        'sub_id',
      ].sort(),
    );
  });

  it('expands built-ins with no value to an empty string', () => {
    const out = expandMacros(
      'http://x.test/?a=[affiliate_id]&s=[sub_id]&d=[call_duration]&h=[has_offers_code]',
      {
        ...facts,
        afid: null,
        subId: null,
        callDurationS: null,
        hasOffersCode: null,
      },
    );
    expect(out).toBe('http://x.test/?a=&s=&d=&h=');
  });

  it('floors the duration to whole seconds and never goes below 0', () => {
    expect(expandMacros('http://x.test/?d=[call_duration]', { ...facts, callDurationS: 89.99 })).toBe(
      'http://x.test/?d=89',
    );
    expect(expandMacros('http://x.test/?d=[call_duration]', { ...facts, callDurationS: 0 })).toBe(
      'http://x.test/?d=0',
    );
    expect(expandMacros('http://x.test/?d=[call_duration]', { ...facts, callDurationS: -3 })).toBe(
      'http://x.test/?d=0',
    );
  });

  it('matches built-ins case-insensitively', () => {
    expect(expandMacros('http://x.test/?c=[Caller_ID]&k=[CAMPAIGN_ID]', facts)).toBe(
      'http://x.test/?c=%2B14165551234&k=0044',
    );
  });

  it('expands [tag:KEY], and to "" when the call lacks the tag', () => {
    expect(expandMacros('http://x.test/?g=[tag:geo]&z=[tag:zip]', facts)).toBe('http://x.test/?g=us-nc&z=');
  });

  it('expands a bare [KEY] to a tag value, matching the key case-insensitively when not exact', () => {
    expect(expandMacros('http://x.test/?g=[geo]&s=[state]&S=[State]', facts)).toBe(
      'http://x.test/?g=us-nc&s=NC&S=NC',
    );
  });

  it('lets built-ins win over a same-named tag, which [tag:KEY] still reaches', () => {
    expect(expandMacros('http://x.test/?a=[campaign_id]&b=[tag:campaign_id]', facts)).toBe(
      'http://x.test/?a=0044&b=tag-shadowed',
    );
  });

  it('leaves unknown bare tokens as written (brackets are legitimate in URLs)', () => {
    const url = 'http://x.test/?filter[name]=x&ids[]=1&[unknown]=2&[a b]=3';
    expect(expandMacros(url, facts)).toBe(url);
  });

  it('percent-encodes query values fully', () => {
    const out = expandMacros('http://x.test/?v=[tag:v]', { ...facts, tags: { v: 'a&b=c d/é+#' } });
    expect(out).toBe('http://x.test/?v=a%26b%3Dc%20d%2F%C3%A9%2B%23');
  });

  it('keeps / ? & = of values in path position, still encoding spaces and non-ASCII', () => {
    const out = expandMacros('http://x.test/[has_offers_code]/[tag:p]', {
      ...facts,
      hasOffersCode: 'aff_lsr?offer_id=5&x=1',
      tags: { p: 'a b/é' },
    });
    expect(out).toBe('http://x.test/aff_lsr?offer_id=5&x=1/a%20b/%C3%A9');
  });

  it('treats tokens after a # as query-like (fully encoded)', () => {
    expect(expandMacros('http://x.test/p#[caller_id]', facts)).toBe('http://x.test/p#%2B14165551234');
  });

  it('leaves a template without tokens untouched and expands repeated tokens each time', () => {
    expect(expandMacros('http://callpixels.com/click.html', facts)).toBe('http://callpixels.com/click.html');
    expect(expandMacros('http://x.test/?a=[sub_id]&b=[sub_id]', { ...facts, subId: 's' })).toBe(
      'http://x.test/?a=s&b=s',
    );
  });

  it('does not treat inherited object properties as tags', () => {
    expect(expandMacros('http://x.test/?a=[toString]&b=[tag:constructor]&c=[constructor]', facts)).toBe(
      'http://x.test/?a=[toString]&b=&c=[constructor]',
    );
  });
});
