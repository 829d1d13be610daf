import { expect, it } from 'vitest';
import { ResponseChecker } from './responses.js';

const doc = {
  openapi: '3.0.3',
  components: {
    schemas: { T: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } },
  },
  paths: {
    '/targets/{id}.json': {
      get: {
        responses: {
          200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/T' } } } },
          '4XX': {
            content: {
              'application/json': {
                schema: { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] },
              },
            },
          },
        },
      },
    },
  },
};

it('checks answers against the document, by status and status class, following $refs', () => {
  const c = new ResponseChecker(doc);
  const at = (status: number, body: unknown, type = 'application/json') =>
    c.check('/targets/{id}.json', 'GET', status, type, JSON.stringify(body));
  expect(at(200, { id: 1 })).toBeUndefined();
  expect(at(200, { id: 'x' })).toMatch(/does not match the document: \/id must be integer/);
  expect(at(404, { error: 'Not Found' })).toBeUndefined();
  expect(at(404, { status: 404 })).toMatch(/must have required property 'error'/);
  expect(at(200, '<xml/>', 'text/xml')).toBeUndefined();
  expect(c.check('/nothing.json', 'GET', 200, 'application/json', '{}')).toBeUndefined();
  expect(c.unchecked).toBe(1);
});
