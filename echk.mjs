import * as echarts from 'echarts';
const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 300, height: 200 });
chart.setOption({ animation: false, title: { text: 'x' }, xAxis: { type: 'category', data: ['a','b'] }, yAxis: {}, series: [{ type: 'bar', data: [1,2], label: { show: true } }] });
const s = chart.renderToSVGString();
console.log((s.match(/style="[^"]*"/g) || []).slice(0,5), s.includes('<style'));
