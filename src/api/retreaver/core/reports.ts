import { Type } from 'typebox';
import { FACETS } from '../../../domain/report-query.js';
import type { Services } from '../../../services/index.js';
import { wantsCsv } from '../format.js';
import { linkHeader, send } from '../reply.js';
import type { CoreApp } from './plugin.js';
import { presentReport, reportCsv } from './present-report.js';
import { ReportAnswer } from './responses-calls.js';

// Every value is checked by the service, so a 400 names each bad parameter in words of its own.
const ReportQuery = Type.Object(
  {
    api_key: Type.Optional(Type.String()),
    company_id: Type.Optional(Type.String()),
    domain: Type.Optional(Type.String({ description: "The domain of the report. Currently only 'calls'." })),
    facet: Type.Optional(Type.String({ description: `One of ${FACETS.join(', ')}.` })),
    created_at_start: Type.Optional(
      Type.String({
        description: 'Start (inclusive): a date (midnight in the company time zone) or RFC 3339 time.',
      }),
    ),
    created_at_end: Type.Optional(
      Type.String({ description: 'End (exclusive); after the start and less than 2 years from it.' }),
    ),
    page: Type.Optional(Type.String({ description: 'Page of facet rows, from 1.' })),
    per_page: Type.Optional(Type.String({ description: 'Facet rows per page, 1–10000 (default 25).' })),
    tag_value_key: Type.Optional(
      Type.String({
        description: 'With facet=tag_value: report the values of this tag instead of the tag keys.',
      }),
    ),
  },
  { additionalProperties: true },
);

const DESCRIPTION =
  'Call metrics grouped by publisher, buyer, campaign, number, day (company time zone) or tag. ' +
  '`count` / `count_total` are the calls of this page’s rows / of all rows; rows are paged with a `Link` ' +
  'header and `X-Total-Count` (rows). `/api/v1/reports.csv` answers the same page as CSV. Metric ' +
  'definitions: docs/reports.md.';

/** Reports (seed 001): `GET /api/v1/reports.json|.xml|.csv`. */
export async function reportRoutes(app: CoreApp, { reports }: Pick<Services, 'reports'>) {
  app.get(
    '/api/v1/reports',
    {
      config: { csv: true },
      schema: {
        response: {
          200: {
            description: 'A page of report rows; `.csv` (or Accept: text/csv) answers them as text/csv',
            content: {
              'application/json': { schema: ReportAnswer },
              'text/csv': { schema: { type: 'string' } },
            },
          },
        },
        tags: ['Reports'],
        summary: 'Get a Report',
        description: DESCRIPTION,
        querystring: ReportQuery,
      },
    },
    async (req, reply) => {
      const report = await reports.report(req.core.companyId, req.query);
      reply.header('link', linkHeader(req, report));
      reply.header('x-total-count', String(report.totalRows));
      if (wantsCsv(req.raw)) {
        return reply
          .code(200)
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="report.csv"')
          .send(reportCsv(report));
      }
      return send(reply, presentReport(report), { root: 'report' });
    },
  );
}
