import { OPENAPI_DESCRIPTION } from './openapi';

describe('the OpenAPI description', () => {
  it('says how to authenticate and where tokens come from', () => {
    expect(OPENAPI_DESCRIPTION).toContain('`Authorization: Bearer <token>`');
    expect(OPENAPI_DESCRIPTION).toContain('FAULTLINE_ADMIN_TOKEN');
    expect(OPENAPI_DESCRIPTION).toContain('`POST /api/v1/tokens`');
  });
});
