import { incidentPageUrl } from './incident-link';

describe('incidentPageUrl', () => {
  it("turns the API's incident route into the dashboard's incident page", () => {
    expect(incidentPageUrl('http://localhost:3000/api/v1/incidents/inc-lq2x1-9f3a')).toBe(
      'http://localhost:3000/#/incidents/inc-lq2x1-9f3a',
    );
    expect(incidentPageUrl('https://ops.example.com/faultline/api/v1/incidents/a%2Fb?x=1')).toBe(
      'https://ops.example.com/faultline/#/incidents/a%2Fb',
    );
  });

  it('leaves any other link as it is', () => {
    for (const url of [
      'https://faultline.example.com/#/incidents/inc-1',
      'https://faultline.example.com/incidents/inc-1',
      'https://faultline.example.com/api/v1/incidents',
      'javascript:alert(1)//api/v1/incidents/x',
      'not a url',
    ])
      expect(incidentPageUrl(url)).toBe(url);
  });
});
