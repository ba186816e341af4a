const pk = process.argv.slice(2);
for (const p of pk) { const t = performance.now(); await import(p); console.log(p, Math.round(performance.now()-t)); }
