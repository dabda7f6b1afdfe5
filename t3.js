const ganache=require('ganache');
(async()=>{
const t1=performance.now();
const opts={logging:{quiet:true},wallet:{totalAccounts:1,deterministic:true}};
if(process.argv[2]) opts.database={dbPath:'/tmp/gdb3'};
const p=ganache.provider(opts);
await p.initialize?.();
const t2=performance.now();
await p.request({method:'eth_accounts',params:[]});
console.log(process.argv[2]||'mem','init',(performance.now()-t1).toFixed(0), (t2-t1).toFixed(0));
await p.disconnect();
})();
