var dt,F,Rn,ke,Jt,An,En,bt,Ze,We,Nn,Mt,Ct,$t,Pn,st={},at=[],gr=/acit|ex(?:s|g|n|p|$)|rph|grid|ows|mnc|ntw|ine[ch]|zoo|^ord|itera/i,ut=Array.isArray;function ye(n,t){for(var r in t)n[r]=t[r];return n}function Ot(n){n&&n.parentNode&&n.parentNode.removeChild(n)}function br(n,t,r){var s,i,a,o={};for(a in t)a=="key"?s=t[a]:a=="ref"?i=t[a]:o[a]=t[a];if(arguments.length>2&&(o.children=arguments.length>3?dt.call(arguments,2):r),typeof n=="function"&&n.defaultProps!=null)for(a in n.defaultProps)o[a]===void 0&&(o[a]=n.defaultProps[a]);return et(n,o,s,i,null)}function et(n,t,r,s,i){var a={type:n,props:t,key:r,ref:s,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:i??++Rn,__i:-1,__u:0};return i==null&&F.vnode!=null&&F.vnode(a),a}function C(n){return n.children}function tt(n,t){this.props=n,this.context=t}function $e(n,t){if(t==null)return n.__?$e(n.__,n.__i+1):null;for(var r;t<n.__k.length;t++)if((r=n.__k[t])!=null&&r.__e!=null)return r.__e;return typeof n.type=="function"?$e(n):null}function wr(n){if(n.__P&&n.__d){var t=n.__v,r=t.__e,s=[],i=[],a=ye({},t);a.__v=t.__v+1,F.vnode&&F.vnode(a),Dt(n.__P,a,t,n.__n,n.__P.namespaceURI,32&t.__u?[r]:null,s,r??$e(t),!!(32&t.__u),i),a.__v=t.__v,a.__.__k[a.__i]=a,Un(s,a,i),t.__e=t.__=null,a.__e!=r&&Ln(a)}}function Ln(n){if((n=n.__)!=null&&n.__c!=null)return n.__e=n.__c.base=null,n.__k.some(function(t){if(t!=null&&t.__e!=null)return n.__e=n.__c.base=t.__e}),Ln(n)}function xt(n){(!n.__d&&(n.__d=!0)&&ke.push(n)&&!ot.__r++||Jt!=F.debounceRendering)&&((Jt=F.debounceRendering)||An)(ot)}function ot(){try{for(var n,t=1;ke.length;)ke.length>t&&ke.sort(En),n=ke.shift(),t=ke.length,wr(n)}finally{ke.length=ot.__r=0}}function Mn(n,t,r,s,i,a,o,l,u,c,h){var b,d,f,p,g,w,v=s&&s.__k||at,_=t.length;for(u=vr(r,t,v,u,_),b=0;b<_;b++)(f=r.__k[b])!=null&&(d=f.__i!=-1&&v[f.__i]||st,f.__i=b,w=Dt(n,f,d,i,a,o,l,u,c,h),p=f.__e,f.ref&&d.ref!=f.ref&&(d.ref&&Ut(d.ref,null,f),h.push(f.ref,f.__c||p,f)),g==null&&p!=null&&(g=p),4&f.__u?(u=On(f,u,n),d.__e&&(d.__e=null)):typeof f.type=="function"&&w!==void 0?u=w:p&&(u=p.nextSibling),f.__u&=-7);return r.__e=g,u}function vr(n,t,r,s,i){var a,o,l,u,c,h=r.length,b=h,d=0;for(n.__k=new Array(i),a=0;a<i;a++)(o=t[a])!=null&&typeof o!="boolean"&&typeof o!="function"?(typeof o=="string"||typeof o=="number"||typeof o=="bigint"||o.constructor==String?o=n.__k[a]=et(null,o,null,null,null):ut(o)?o=n.__k[a]=et(C,{children:o},null,null,null):o.constructor===void 0&&o.__b>0?o=n.__k[a]=et(o.type,o.props,o.key,o.ref?o.ref:null,o.__v):n.__k[a]=o,u=a+d,o.__=n,o.__b=n.__b+1,l=null,(c=o.__i=kr(o,r,u,b))!=-1&&(b--,(l=r[c])&&(l.__u|=2)),l==null||l.__v==null?(c==-1&&(i>h?d--:i<h&&d++),typeof o.type!="function"&&(o.__u|=4)):c!=u&&(c==u-1?d--:c==u+1?d++:(c>u?d--:d++,o.__u|=4))):n.__k[a]=null;if(b)for(a=0;a<h;a++)(l=r[a])!=null&&(2&l.__u)==0&&(l.__e==s&&(s=$e(l)),qn(l,l));return s}function On(n,t,r){var s,i;if(typeof n.type=="function"){for(s=n.__k,i=0;s&&i<s.length;i++)s[i]&&(s[i].__=n,t=On(s[i],t,r));return t}n.__e!=t&&(t&&n.type&&!t.parentNode&&(t=$e(n)),t=r.insertBefore(n.__e,t||null));do t=t&&t.nextSibling;while(t!=null&&t.nodeType==8);return t}function kr(n,t,r,s){var i,a,o,l=n.key,u=n.type,c=t[r],h=c!=null&&(2&c.__u)==0;if(c===null&&l==null||h&&l==c.key&&u==c.type)return r;if(s>(h?1:0)){for(i=r-1,a=r+1;i>=0||a<t.length;)if((c=t[o=i>=0?i--:a++])!=null&&(2&c.__u)==0&&l==c.key&&u==c.type)return o}return-1}function Xt(n,t,r){t[0]=="-"?n.setProperty(t,r??""):n[t]=r==null?"":typeof r!="number"||gr.test(t)?r:r+"px"}function Qe(n,t,r,s,i){var a,o;e:if(t=="style")if(typeof r=="string")n.style.cssText=r;else{if(typeof s=="string"&&(n.style.cssText=s=""),s)for(t in s)r&&t in r||Xt(n.style,t,"");if(r)for(t in r)s&&r[t]==s[t]||Xt(n.style,t,r[t])}else if(t[0]=="o"&&t[1]=="n")a=t!=(t=t.replace(Nn,"$1")),o=t.toLowerCase(),t=o in n||t=="onFocusOut"||t=="onFocusIn"?o.slice(2):t.slice(2),n.l||(n.l={}),n.l[t+a]=r,r?s?r[We]=s[We]:(r[We]=Mt,n.addEventListener(t,a?$t:Ct,a)):n.removeEventListener(t,a?$t:Ct,a);else{if(i=="http://www.w3.org/2000/svg")t=t.replace(/xlink(H|:h)/,"h").replace(/sName$/,"s");else if(t!="width"&&t!="height"&&t!="href"&&t!="list"&&t!="form"&&t!="tabIndex"&&t!="download"&&t!="rowSpan"&&t!="colSpan"&&t!="role"&&t!="popover"&&t in n)try{n[t]=r??"";break e}catch{}typeof r=="function"||(r==null||r===!1&&t[4]!="-"?n.removeAttribute(t):n.setAttribute(t,t=="popover"&&r==1?"":r))}}function Zt(n){return function(t){if(this.l){var r=this.l[t.type+n];if(t[Ze]==null)t[Ze]=Mt++;else if(t[Ze]<r[We])return;return r(F.event?F.event(t):t)}}}function Dt(n,t,r,s,i,a,o,l,u,c){var h,b,d,f,p,g,w,v,_,S,T,R,q,K,ie,le,J=t.type;if(t.constructor!==void 0)return null;128&r.__u&&(u=!!(32&r.__u),a=[l=t.__e=r.__e]),(h=F.__b)&&h(t);e:if(typeof J=="function"){b=o.length;try{if(_=t.props,S=J.prototype&&J.prototype.render,T=(h=J.contextType)&&s[h.__c],R=h?T?T.props.value:h.__:s,r.__c?v=(d=t.__c=r.__c).__=d.__E:(S?t.__c=d=new J(_,R):(t.__c=d=new tt(_,R),d.constructor=J,d.render=Ir),T&&T.sub(d),d.state||(d.state={}),d.__n=s,f=d.__d=!0,d.__h=[],d._sb=[]),S&&d.__s==null&&(d.__s=d.state),S&&J.getDerivedStateFromProps!=null&&(d.__s==d.state&&(d.__s=ye({},d.__s)),ye(d.__s,J.getDerivedStateFromProps(_,d.__s))),p=d.props,g=d.state,d.__v=t,f)S&&J.getDerivedStateFromProps==null&&d.componentWillMount!=null&&d.componentWillMount(),S&&d.componentDidMount!=null&&d.__h.push(d.componentDidMount);else{if(S&&J.getDerivedStateFromProps==null&&_!==p&&d.componentWillReceiveProps!=null&&d.componentWillReceiveProps(_,R),t.__v==r.__v||!d.__e&&d.shouldComponentUpdate!=null&&d.shouldComponentUpdate(_,d.__s,R)===!1){t.__v!=r.__v&&(d.props=_,d.state=d.__s,d.__d=!1),t.__e=r.__e,t.__k=r.__k,t.__k.some(function(ce){ce&&(ce.__=t)}),at.push.apply(d.__h,d._sb),d._sb=[],d.__h.length&&o.push(d),l=$e(r);break e}d.componentWillUpdate!=null&&d.componentWillUpdate(_,d.__s,R),S&&d.componentDidUpdate!=null&&d.__h.push(function(){d.componentDidUpdate(p,g,w)})}if(d.context=R,d.props=_,d.__P=n,d.__e=!1,q=F.__r,K=0,S)d.state=d.__s,d.__d=!1,q&&q(t),h=d.render(d.props,d.state,d.context),at.push.apply(d.__h,d._sb),d._sb=[];else do d.__d=!1,q&&q(t),h=d.render(d.props,d.state,d.context),d.state=d.__s;while(d.__d&&++K<25);d.state=d.__s,d.getChildContext!=null&&(s=ye(ye({},s),d.getChildContext())),S&&!f&&d.getSnapshotBeforeUpdate!=null&&(w=d.getSnapshotBeforeUpdate(p,g)),ie=h!=null&&h.type===C&&h.key==null?Fn(h.props.children):h,l=Mn(n,ut(ie)?ie:[ie],t,r,s,i,a,o,l,u,c),d.base=t.__e,t.__u&=-161,d.__h.length&&o.push(d),v&&(d.__E=d.__=null)}catch(ce){if(o.length=b,t.__v=null,u||a!=null){if(ce.then){for(t.__u|=u?160:128;l&&l.nodeType==8&&l.nextSibling;)l=l.nextSibling;a!=null&&(a[a.indexOf(l)]=null),t.__e=l}else if(a!=null)for(le=a.length;le--;)Ot(a[le])}else t.__e=r.__e;t.__k==null&&(t.__k=r.__k||[]),ce.then||Dn(t),F.__e(ce,t,r)}}else a==null&&t.__v==r.__v?(t.__k=r.__k,t.__e=r.__e):l=t.__e=_r(r.__e,t,r,s,i,a,o,u,c);return(h=F.diffed)&&h(t),128&t.__u?void 0:l}function Dn(n){n&&(n.__c&&(n.__c.__e=!0),n.__k&&n.__k.some(Dn))}function Un(n,t,r){for(var s=0;s<r.length;s++)Ut(r[s],r[++s],r[++s]);F.__c&&F.__c(t,n),n.some(function(i){try{n=i.__h,i.__h=[],n.some(function(a){a.call(i)})}catch(a){F.__e(a,i.__v)}})}function Fn(n){return typeof n!="object"||n==null||n.__b>0?n:ut(n)?n.map(Fn):n.constructor!==void 0?null:ye({},n)}function _r(n,t,r,s,i,a,o,l,u){var c,h,b,d,f,p,g,w=r.props||st,v=t.props,_=t.type;if(_=="svg"?i="http://www.w3.org/2000/svg":_=="math"?i="http://www.w3.org/1998/Math/MathML":i||(i="http://www.w3.org/1999/xhtml"),a!=null){for(c=0;c<a.length;c++)if((f=a[c])&&"setAttribute"in f==!!_&&(_?f.localName==_:f.nodeType==3)){n=f,a[c]=null;break}}if(n==null){if(_==null)return document.createTextNode(v);n=document.createElementNS(i,_,v.is&&v),l&&(F.__m&&F.__m(t,a),l=!1),a=null}if(_==null)w===v||l&&n.data==v||(n.data=v);else{if(a=_=="textarea"&&v.defaultValue!=null?null:a&&dt.call(n.childNodes),!l&&a!=null)for(w={},c=0;c<n.attributes.length;c++)w[(f=n.attributes[c]).name]=f.value;for(c in w)f=w[c],c=="dangerouslySetInnerHTML"?b=f:c=="children"||c in v||c=="value"&&"defaultValue"in v||c=="checked"&&"defaultChecked"in v||Qe(n,c,null,f,i);for(c in v)f=v[c],c=="children"?d=f:c=="dangerouslySetInnerHTML"?h=f:c=="value"?p=f:c=="checked"?g=f:l&&typeof f!="function"||w[c]===f||Qe(n,c,f,w[c],i);if(h)l||b&&(h.__html==b.__html||h.__html==n.innerHTML)||(n.innerHTML=h.__html),t.__k=[];else if(b&&(n.innerHTML=""),Mn(t.type=="template"?n.content:n,ut(d)?d:[d],t,r,s,_=="foreignObject"?"http://www.w3.org/1999/xhtml":i,a,o,a?a[0]:r.__k&&$e(r,0),l,u),a!=null)for(c=a.length;c--;)Ot(a[c]);l&&_!="textarea"||(c="value",_=="progress"&&p==null?n.removeAttribute("value"):p!=null&&(p!==n[c]||_=="progress"&&!p||_=="option"&&p!=w[c])&&Qe(n,c,p,w[c],i),c="checked",g!=null&&g!=n[c]&&Qe(n,c,g,w[c],i))}return n}function Ut(n,t,r){try{if(typeof n=="function"){var s=typeof n.__u=="function";s&&n.__u(),s&&t==null||(n.__u=n(t))}else n.current=t}catch(i){F.__e(i,r)}}function qn(n,t,r){var s,i;if(F.unmount&&F.unmount(n),(s=n.ref)&&(s.current&&s.current!=n.__e||Ut(s,null,t)),(s=n.__c)!=null){if(s.componentWillUnmount)try{s.componentWillUnmount()}catch(a){F.__e(a,t)}s.base=s.__P=s.__n=null}if(s=n.__k)for(i=0;i<s.length;i++)s[i]&&qn(s[i],t,r||typeof n.type!="function");r||Ot(n.__e),n.__c=n.__=n.__e=void 0}function Ir(n,t,r){return this.constructor(n,r)}function Sr(n,t,r){var s,i,a,o;t==document&&(t=document.documentElement),F.__&&F.__(n,t),i=(s=!1)?null:t.__k,a=[],o=[],Dt(t,n=t.__k=br(C,null,[n]),i||st,st,t.namespaceURI,i?null:t.firstChild?dt.call(t.childNodes):null,a,i?i.__e:t.firstChild,s,o),Un(a,n,o),n.props.children=null}function Cr(n){function t(r){var s,i;return this.getChildContext||(s=new Set,(i={})[t.__c]=this,this.getChildContext=function(){return i},this.componentWillUnmount=function(){s=null},this.shouldComponentUpdate=function(a){this.props.value!=a.value&&s.forEach(function(o){o.__e=!0,xt(o)})},this.sub=function(a){s.add(a);var o=a.componentWillUnmount;a.componentWillUnmount=function(){s&&s.delete(a),o&&o.call(a)}}),r.children}return t.__c="__cC"+Pn++,t.__=n,t.Provider=t.__l=(t.Consumer=function(r,s){return r.children(s)}).contextType=t,t}dt=at.slice,F={__e:function(n,t,r,s){for(var i,a,o;t=t.__;)if((i=t.__c)&&!i.__)try{if((a=i.constructor)&&a.getDerivedStateFromError!=null&&(i.setState(a.getDerivedStateFromError(n)),o=i.__d),i.componentDidCatch!=null&&(i.componentDidCatch(n,s||{}),o=i.__d),o)return i.__E=i}catch(l){n=l}throw n}},Rn=0,tt.prototype.setState=function(n,t){var r;r=this.__s!=null&&this.__s!=this.state?this.__s:this.__s=ye({},this.state),typeof n=="function"&&(n=n(ye({},r),this.props)),n&&ye(r,n),n!=null&&this.__v&&(t&&this._sb.push(t),xt(this))},tt.prototype.forceUpdate=function(n){this.__v&&(this.__e=!0,n&&this.__h.push(n),xt(this))},tt.prototype.render=C,ke=[],An=typeof Promise=="function"?Promise.prototype.then.bind(Promise.resolve()):setTimeout,En=function(n,t){return n.__v.__b-t.__v.__b},ot.__r=0,bt=Math.random().toString(8),Ze="__d"+bt,We="__a"+bt,Nn=/(PointerCapture)$|Capture$/i,Mt=0,Ct=Zt(!1),$t=Zt(!0),Pn=0;var $r=0;function e(n,t,r,s,i,a){t||(t={});var o,l,u=t;if("ref"in u)for(l in u={},t)l=="ref"?o=t[l]:u[l]=t[l];var c={type:n,props:u,key:r,ref:o,__k:null,__:null,__b:0,__e:null,__c:null,constructor:void 0,__v:--$r,__i:-1,__u:0,__source:i,__self:a};if(typeof n=="function"&&(o=n.defaultProps))for(l in o)u[l]===void 0&&(u[l]=o[l]);return F.vnode&&F.vnode(c),c}const xr="synchronizer_csrf",Tr="X-CSRF-Token",Rr=new Set(["UNAUTHENTICATED","FORBIDDEN","BAD_USER_INPUT","NOT_FOUND","RATE_LIMITED","SETUP_DONE","CONFLICT","INTERNAL","GRAPHQL_PARSE_FAILED","GRAPHQL_VALIDATION_FAILED","QUERY_TOO_COMPLEX","UNAVAILABLE","CSRF","NETWORK","HTTP","BAD_RESPONSE"]),Ar={UNAUTHENTICATED:"Your session has ended or you are not signed in. Sign in again to continue.",FORBIDDEN:"Your account is not allowed to do this. Ask an administrator for access.",BAD_USER_INPUT:"Correct the value and try again.",NOT_FOUND:"It may have been removed in the meantime. Reload the page to see the current state.",RATE_LIMITED:"Too many attempts in a short time. Wait a few minutes, then try again.",SETUP_DONE:"Setup has already been completed. Sign in with the administrator account instead.",CONFLICT:"Someone else changed this at the same time. Reload the page and try again.",INTERNAL:"The server ran into a problem. Try again; if it keeps happening, look at the server log.",GRAPHQL_PARSE_FAILED:"The dashboard and the server do not match. Reload the page; if it persists, rebuild the dashboard.",GRAPHQL_VALIDATION_FAILED:"The dashboard and the server do not match. Reload the page; if it persists, rebuild the dashboard.",QUERY_TOO_COMPLEX:"The request was too large for the server. Reload the page and try a smaller page of results.",UNAVAILABLE:"This part of Synchronizer is not running on this server. Check the server log for why it did not start; it appears here once it runs.",CSRF:"The security token of this page is missing or out of date. Reload the page and try again.",NETWORK:"Check that Synchronizer is running and that this computer is online, then try again.",HTTP:"The server answered with an unexpected error. Try again; if it keeps happening, look at the server log.",BAD_RESPONSE:"The server sent an answer the dashboard cannot read. Reload the page; if it persists, look at the server log."};class Z extends Error{code;hint;field;status;all;constructor(t,r,s={}){super(r),this.name="ApiError",this.code=t,this.hint=Ar[t],this.field=s.field,this.status=s.status,this.all=s.all??[]}}function Y(n){return n instanceof Z?n:n instanceof Error?new Z("INTERNAL",n.message):new Z("INTERNAL",String(n))}function Er(n,t){for(const r of n.split(";")){const s=r.indexOf("=");if(!(s<0)&&r.slice(0,s).trim()===t){const i=r.slice(s+1).trim();try{return decodeURIComponent(i)}catch{return i}}}return""}function Nr(n,t){const r=n[0]??{},s=typeof r.extensions?.code=="string"?r.extensions.code:"";let i;Rr.has(s)?i=s:t===403&&/csrf/i.test(r.message??"")?i="CSRF":s===""&&t!==void 0&&t>=500?i="INTERNAL":s===""&&t===403?i="FORBIDDEN":s===""&&t===401?i="UNAUTHENTICATED":i="INTERNAL",i==="FORBIDDEN"&&/csrf/i.test(r.message??"")&&(i="CSRF");const a=typeof r.extensions?.field=="string"?r.extensions.field:void 0,o=(r.message??"").trim()||Pr(i,t);return new Z(i,o,{field:a,status:t,all:n})}function Pr(n,t){switch(n){case"NETWORK":return"The server could not be reached.";case"HTTP":return`The server answered with HTTP ${t??"error"}.`;default:return`The request failed (${n}).`}}class Lr{endpoint;fetchFn;cookies;onUnauthenticated;constructor(t={}){this.endpoint=t.endpoint??"/graphql",this.fetchFn=t.fetch??((r,s)=>fetch(r,s)),this.cookies=t.cookies??(()=>typeof document>"u"?"":document.cookie),this.onUnauthenticated=t.onUnauthenticated}headers(){const t={"Content-Type":"application/json",Accept:"application/graphql-response+json, application/json;q=0.9"},r=Er(this.cookies(),xr);return r&&(t[Tr]=r),t}async request(t,r,s={}){let i;try{i=await this.fetchFn(this.endpoint,{method:"POST",credentials:"same-origin",headers:this.headers(),body:JSON.stringify({query:t,variables:r??{}}),signal:s.signal})}catch(u){throw u instanceof DOMException&&u.name==="AbortError"?u:new Z("NETWORK","The server could not be reached.")}const a=await i.text().catch(()=>"");let o;try{o=a?JSON.parse(a):void 0}catch{o=void 0}let l;if(o&&Array.isArray(o.errors)&&o.errors.length>0?l=Nr(o.errors,i.status):i.ok?(!o||typeof o!="object"||!("data"in o)||o.data==null)&&(l=new Z("BAD_RESPONSE","The server sent an answer without data.",{status:i.status})):l=Mr(i.status,a),l)throw l.code==="UNAUTHENTICATED"&&this.onUnauthenticated?.(l),l;return o.data}}function Mr(n,t){const r=t.replace(/<[^>]*>/g," ").replace(/\s+/g," ").trim().slice(0,200);return n===401?new Z("UNAUTHENTICATED",r||"You are not signed in.",{status:n}):n===403&&/csrf/i.test(t)?new Z("CSRF",r||"The CSRF token is missing or wrong.",{status:n}):n===403?new Z("FORBIDDEN",r||"Access denied.",{status:n}):n===413?new Z("BAD_USER_INPUT","The request is larger than the server accepts. Shorten the input and try again.",{status:n}):n===429?new Z("RATE_LIMITED",r||"Too many requests.",{status:n}):n>=500?new Z("INTERNAL",r||`The server answered with HTTP ${n}.`,{status:n}):new Z("HTTP",r||`The server answered with HTTP ${n}.`,{status:n})}const Or=`
  query Boot {
    systemStatus {
      state
      version
    }
    me {
      id
      email
      name
      role
      createdAt
    }
  }
`,Dr=`
  query Version {
    version {
      version
      commit
    }
  }
`,Ur=`
  mutation Setup($input: SetupInput!) {
    setup(input: $input) {
      account {
        id
        email
        name
        role
        createdAt
      }
    }
  }
`,Fr=`
  mutation Login($email: String!, $password: String!) {
    login(email: $email, password: $password) {
      account {
        id
        email
        name
        role
        createdAt
      }
    }
  }
`,qr=`
  mutation Logout {
    logout
  }
`,Br=`
  mutation AcceptInvitation($token: String!, $name: String, $password: String!) {
    acceptInvitation(token: $token, name: $name, password: $password) {
      account {
        id
        email
        name
        role
        createdAt
      }
    }
  }
`,Wr=`
  mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
    changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
  }
`,Hr=`
  query Admins {
    admins {
      id
      email
      name
      role
      createdAt
    }
  }
`,jr=`
  mutation AddAdmin($email: String!, $name: String!, $password: String!) {
    addAdmin(email: $email, name: $name, password: $password) {
      id
      email
      name
    }
  }
`,Yr=`
  mutation InviteAdmin($email: String!, $name: String!) {
    inviteAdmin(email: $email, name: $name) {
      email
      name
      link
      expiresAt
    }
  }
`,zr=`
  mutation RemoveAdmin($id: ID!) {
    removeAdmin(id: $id)
  }
`,Vr=`
  query ApiTokens {
    apiTokens {
      id
      name
      createdAt
      expiresAt
      lastUsedAt
    }
  }
`,Gr=`
  mutation CreateApiToken($name: String!, $expiresInDays: Int) {
    createApiToken(name: $name, expiresInDays: $expiresInDays) {
      token {
        id
        name
        createdAt
        expiresAt
        lastUsedAt
      }
      secret
    }
  }
`,Kr=`
  mutation RevokeApiToken($id: ID!) {
    revokeApiToken(id: $id)
  }
`,Qr=`
  query AuditLog($first: Int, $after: String) {
    auditLog(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          time
          actor
          action
          target
          ip
          detail
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`,Jr=`
  query SyncProfiles {
    syncProfiles {
      id
      name
      crm {
        type
        instance
      }
      mailbox {
        type
        instance
      }
      directions {
        kind
        direction
      }
      daysBack
      daysAhead
      policy
      onDelete
      pollSeconds
      users {
        id
        profileId
        crm {
          email
          name
        }
        mailbox {
          email
          name
        }
        status {
          paused
          queued
          running
          nextRun
          lastRun
          lastOk
          lastError
          lastErrorAt
          failures
          breaker
          breakerReason
          breakerUntil
        }
      }
    }
    schedulerStatus {
      profiles {
        profileId
        paused
        queued
        running
        users
      }
    }
  }
`,Xr=`
  mutation SyncNow($profileId: ID!, $userId: ID) {
    syncNow(profileId: $profileId, userId: $userId)
  }
`,Zr=`
  mutation PauseSync($profileId: ID!, $userId: ID) {
    pauseSync(profileId: $profileId, userId: $userId)
  }
`,ei=`
  mutation ResumeSync($profileId: ID!, $userId: ID) {
    resumeSync(profileId: $profileId, userId: $userId)
  }
`,ti=`
  query SyncConflicts($openOnly: Boolean) {
    syncConflicts(openOnly: $openOnly) {
      id
      profileId
      userId
      kind
      fields
      crm
      mailbox
      crmItemId
      mailboxItemId
      base
      decision
      policy
      at
      resolved
    }
  }
`,ni=`
  mutation ResolveSyncConflict($id: ID!, $choice: Side!) {
    resolveSyncConflict(id: $id, choice: $choice) {
      id
      resolved
    }
  }
`,ri=`
  query PendingApprovals {
    pendingApprovals {
      id
      profileId
      userId
      kind
      trigger
      start
      guard
      counts {
        listed
        created
        updated
        deleted
      }
      planned {
        side
        action
        linkId
        title
        reason
      }
    }
  }
`,ii=`
  mutation ApproveSyncRun($id: ID!) {
    approveSyncRun(id: $id) {
      id
      status
    }
  }
`,si=`
  mutation RejectSyncRun($id: ID!) {
    rejectSyncRun(id: $id) {
      id
      status
    }
  }
`,ai=`
  query Governor {
    schedulerStatus {
      at
      started
      stopping
      workers
      queueDepth
      running {
        profileId
        userId
        kind
        trigger
        started
      }
      systems {
        system
        state
        failures
        until
      }
      housekeeping {
        hour
        nextRun
        lastRun
      }
    }
    governorStatus {
      scope
      system
      kind
      key
      maxInFlight
      effectiveInFlight
      inFlight
      waiting
      requests
      perSeconds
      budgetLeft
      backingOffUntil
      throttled
      recentThrottles
      avgLatencyMs
      slowedDown
    }
  }
`,oi=`
  query UserRuns($profileId: ID!, $userId: ID!, $first: Int, $before: ID) {
    syncRuns(profileId: $profileId, userId: $userId, first: $first, before: $before) {
      id
      kind
      trigger
      start
      end
      status
      error
      guard
      undoOf
      undoneBy
      counts {
        listed
        created
        updated
        deleted
        unchanged
        conflicts
        quarantined
        skipped
        errors
      }
      operations {
        seq
        side
        action
        itemId
        at
      }
    }
  }
`,li=`
  mutation UndoSyncRun($id: ID!) {
    undoSyncRun(id: $id) {
      id
      status
      counts {
        updated
        created
        deleted
      }
    }
  }
`,ci=`
  query SyncTrace($itemId: String!) {
    syncTrace(itemId: $itemId) {
      at
      runId
      profileId
      userId
      kind
      side
      linkId
      decision
      reason
    }
  }
`,di=`
  query SyncQuarantine($profileId: ID) {
    syncQuarantine(profileId: $profileId) {
      profileId
      userId
      kind
      side
      itemId
      field
      reason
      at
    }
  }
`,ui=`
  mutation ReleaseQuarantine($input: ReleaseQuarantineInput!) {
    releaseQuarantine(input: $input)
  }
`,hi=`
  subscription SyncStatusLive {
    syncStatus {
      event {
        type
        at
        profileId
        userId
        runId
        error
      }
    }
  }
`,mi=`
  mutation SaveSyncProfile($input: ProfileInput!) {
    saveSyncProfile(input: $input) {
      id
      name
    }
  }
`,fi=`
  mutation SetSystemSecrets($instance: String!, $secrets: [SystemSecretInput!]!) {
    setSystemSecrets(instance: $instance, secrets: $secrets)
  }
`,pi=`
  mutation LinkUser($input: LinkUserInput!) {
    linkUser(input: $input) {
      id
    }
  }
`,yi=`
  mutation BeginSystemSignIn($profileId: ID!, $side: Side!, $userId: ID) {
    beginSystemSignIn(profileId: $profileId, side: $side, userId: $userId) {
      url
      expiresAt
    }
  }
`,gi=`
  query SmtpSettings {
    smtpSettings {
      host
      port
      security
      username
      passwordSet
      from
      fromName
    }
  }
`,bi=`
  mutation SaveSmtpSettings($input: SmtpSettingsInput!) {
    saveSmtpSettings(input: $input) {
      host
      port
      security
      username
      passwordSet
      from
      fromName
    }
  }
`,wi=`
  mutation SendTestMail($to: String!) {
    sendTestMail(to: $to) {
      sent
      to
      message
    }
  }
`,vi=`
  mutation InviteMailboxUser($profileId: ID!, $userId: ID!) {
    inviteMailboxUser(profileId: $profileId, userId: $userId) {
      sent
      to
      message
      expiresAt
    }
  }
`,ki=`
  query MyLinks {
    myLinks {
      profileId
      profileName
      userId
      crm {
        id
        email
        name
      }
      mailbox {
        id
        email
        name
      }
      crmType
      mailboxType
      mailboxSignIn
      mailboxAuthorized
      status {
        profileId
        userId
        paused
        nextRun
        queued
        running
        lastRun
        lastOk
        lastError
        lastErrorAt
        failures
        breaker
        breakerReason
        breakerUntil
        pushHealthy
      }
      overrides {
        directions {
          kind
          direction
        }
        filters {
          skipPrivate
          skipAllDay
          skipFree
          skipRecurring
        }
        daysBack
        daysAhead
      }
      defaults {
        directions {
          kind
          direction
        }
        filters {
          skipPrivate
          skipAllDay
          skipFree
          skipRecurring
        }
        daysBack
        daysAhead
      }
      userMay {
        directions
        filters
        window
      }
      recentRuns {
        id
        kind
        trigger
        start
        end
        status
        error
        counts {
          created
          updated
          deleted
          conflicts
          quarantined
          errors
        }
      }
      quarantine {
        kind
        side
        itemId
        field
        reason
        at
      }
      openConflicts
    }
  }
`,_i=`
  query SignInProviders {
    signInProviders {
      id
      name
      type
      startUrl
    }
  }
`,Ii=`
  mutation AcceptPortalInvitation($token: String!) {
    acceptPortalInvitation(token: $token) {
      account {
        id
        email
        name
        role
        createdAt
      }
    }
  }
`,Si=`
  mutation CreatePortalInvitation($profileId: ID!, $userId: ID!) {
    createPortalInvitation(profileId: $profileId, userId: $userId) {
      link
      email
      expiresAt
    }
  }
`,Ci=`
  mutation BeginMyMailboxSignIn($profileId: ID!) {
    beginMyMailboxSignIn(profileId: $profileId) {
      url
      expiresAt
    }
  }
`,$i=`
  mutation SetMyPreferences($profileId: ID!, $overrides: UserOverridesInput!) {
    setMyPreferences(profileId: $profileId, overrides: $overrides) {
      profileId
      userId
    }
  }
`,xi=`
  mutation SyncMyMailboxNow($profileId: ID!) {
    syncMyMailboxNow(profileId: $profileId)
  }
`;class Ti{constructor(t){this.client=t}client;boot(){return this.client.request(Or)}version(){return this.client.request(Dr)}setup(t){return this.client.request(Ur,t)}login(t){return this.client.request(Fr,t)}logout(){return this.client.request(qr)}acceptInvitation(t){return this.client.request(Br,t)}changePassword(t){return this.client.request(Wr,t)}admins(){return this.client.request(Hr)}addAdmin(t){return this.client.request(jr,t)}inviteAdmin(t){return this.client.request(Yr,t)}removeAdmin(t){return this.client.request(zr,t)}apiTokens(){return this.client.request(Vr)}createApiToken(t){return this.client.request(Gr,t)}revokeApiToken(t){return this.client.request(Kr,t)}auditLog(t){return this.client.request(Qr,t)}syncProfiles(){return this.client.request(Jr)}syncNow(t){return this.client.request(Xr,t)}pauseSync(t){return this.client.request(Zr,t)}resumeSync(t){return this.client.request(ei,t)}syncConflicts(t){return this.client.request(ti,t)}resolveConflict(t){return this.client.request(ni,t)}pendingApprovals(){return this.client.request(ri)}approveRun(t){return this.client.request(ii,t)}rejectRun(t){return this.client.request(si,t)}governor(){return this.client.request(ai)}userRuns(t){return this.client.request(oi,t)}undoRun(t){return this.client.request(li,t)}trace(t){return this.client.request(ci,t)}quarantine(t){return this.client.request(di,t)}saveProfile(t){return this.client.request(mi,t)}setSystemSecrets(t){return this.client.request(fi,t)}beginSignIn(t){return this.client.request(yi,t)}linkUser(t){return this.client.request(pi,t)}releaseQuarantine(t){return this.client.request(ui,t)}smtpSettings(){return this.client.request(gi)}saveSmtpSettings(t){return this.client.request(bi,t)}sendTestMail(t){return this.client.request(wi,t)}inviteMailboxUser(t){return this.client.request(vi,t)}myLinks(){return this.client.request(ki)}signInProviders(){return this.client.request(_i)}acceptPortalInvitation(t){return this.client.request(Ii,t)}createPortalInvitation(t){return this.client.request(Si,t)}beginMyMailboxSignIn(t){return this.client.request(Ci,t)}setMyPreferences(t){return this.client.request($i,t)}syncMyMailboxNow(t){return this.client.request(xi,t)}}var xe,W,wt,en,je=0,Bn=[],V=F,tn=V.__b,nn=V.__r,rn=V.diffed,sn=V.__c,an=V.unmount,on=V.__;function Ye(n,t){V.__h&&V.__h(W,n,je||t),je=0;var r=W.__H||(W.__H={__:[],__h:[]});return n>=r.__.length&&r.__.push({}),r.__[n]}function y(n){return je=1,Ri(Hn,n)}function Ri(n,t,r){var s=Ye(xe++,2);if(s.t=n,!s.__c&&(s.__=[Hn(void 0,t),function(l){var u=s.__N?s.__N[0]:s.__[0],c=s.t(u,l);u!==c&&(s.__N=[c,s.__[1]],s.__c.setState({}))}],s.__c=W,!W.__f)){var i=function(l,u,c){if(!s.__c.__H)return!0;var h=!1,b=s.__c.props!==l;if(s.__c.__H.__.some(function(f){if(f.__N){h=!0;var p=f.__[0];f.__=f.__N,f.__N=void 0,p!==f.__[0]&&(b=!0)}}),a){var d=a.call(this,l,u,c);return h?d||b:d}return!h||b};W.__f=!0;var a=W.shouldComponentUpdate,o=W.componentWillUpdate;W.componentWillUpdate=function(l,u,c){if(this.__e){var h=a;a=void 0,i(l,u,c),a=h}o&&o.call(this,l,u,c)},W.shouldComponentUpdate=i}return s.__N||s.__}function ee(n,t){var r=Ye(xe++,3);!V.__s&&Wn(r.__H,t)&&(r.__=n,r.u=t,W.__H.__h.push(r))}function re(n){return je=5,ze(function(){return{current:n}},[])}function ze(n,t){var r=Ye(xe++,7);return Wn(r.__H,t)&&(r.__=n(),r.__H=t,r.__h=n),r.__}function Ai(n,t){return je=8,ze(function(){return n},t)}function Ei(n){var t=W.context[n.__c],r=Ye(xe++,9);return r.c=n,t?(r.__==null&&(r.__=!0,t.sub(W)),t.props.value):n.__}function ge(){var n=Ye(xe++,11);if(!n.__){for(var t=W.__v;t!==null&&!t.__m&&t.__!==null;)t=t.__;var r=t.__m||(t.__m=[0,0]);n.__="P"+r[0]+"-"+r[1]++}return n.__}function Ni(){for(var n;n=Bn.shift();){var t=n.__H;if(n.__P&&t)try{t.__h.some(nt),t.__h.some(Tt),t.__h=[]}catch(r){t.__h=[],V.__e(r,n.__v)}}}V.__b=function(n){W=null,tn&&tn(n)},V.__=function(n,t){n&&t.__k&&t.__k.__m&&(n.__m=t.__k.__m),on&&on(n,t)},V.__r=function(n){nn&&nn(n),xe=0;var t=(W=n.__c).__H;t&&(wt===W?(t.__h=[],W.__h=[],t.__.some(function(r){r.__N&&(r.__=r.__N),r.u=r.__N=void 0})):(t.__h.some(nt),t.__h.some(Tt),t.__h=[],xe=0)),wt=W},V.diffed=function(n){rn&&rn(n);var t=n.__c;t&&t.__H&&(t.__H.__h.length&&(Bn.push(t)!==1&&en===V.requestAnimationFrame||((en=V.requestAnimationFrame)||Pi)(Ni)),t.__H.__.some(function(r){r.u&&(r.__H=r.u,r.u=void 0)})),wt=W=null},V.__c=function(n,t){t.some(function(r){try{r.__h.some(nt),r.__h=r.__h.filter(function(s){return!s.__||Tt(s)})}catch(s){t.some(function(i){i.__h&&(i.__h=[])}),t=[],V.__e(s,r.__v)}}),sn&&sn(n,t)},V.unmount=function(n){an&&an(n);var t,r=n.__c;r&&r.__H&&(r.__H.__.some(function(s){try{nt(s)}catch(i){t=i}}),r.__H=void 0,t&&V.__e(t,r.__v))};var ln=typeof requestAnimationFrame=="function";function Pi(n){var t,r=function(){clearTimeout(s),ln&&cancelAnimationFrame(t),setTimeout(n)},s=setTimeout(r,35);ln&&(t=requestAnimationFrame(r))}function nt(n){var t=W,r=n.__c;typeof r=="function"&&(n.__c=void 0,r()),W=t}function Tt(n){var t=W;n.__c=n.__(),W=t}function Wn(n,t){return!n||n.length!==t.length||t.some(function(r,s){return r!==n[s]})}function Hn(n,t){return typeof t=="function"?t(n):t}const Me=12;function ht(n){if(n.length===0)return"Enter a password.";const t=[...n].length;if(t<Me){const r=Me-t;return`Use at least ${Me} characters (${r} more needed).`}return""}function mt(n){const t=n.trim();return t===""?"Enter an e-mail address.":/^[^\s@]+@[^\s@]+$/.test(t)?"":"Enter an e-mail address like name@example.com."}function E(n,t){if(!n)return"—";const r=new Date(n);return Number.isNaN(r.getTime())?n:new Intl.DateTimeFormat(t,{dateStyle:"medium",timeStyle:"short"}).format(r)}function jn(n){if(!n)return"";const t=n.split(".");return t[t.length-1]}function Li(n,t){return/^https?:\/\//i.test(n)?n:t.replace(/\/$/,"")+(n.startsWith("/")?n:"/"+n)}function Mi(n){return{setup:"Setup completed","setup.failed":"Setup attempt refused","login.ok":"Signed in","login.failed":"Sign-in failed",logout:"Signed out","token.created":"API token created","token.revoked":"API token revoked","admin.added":"Admin added","admin.invited":"Admin invited","admin.removed":"Admin removed","invitation.accepted":"Invitation accepted","user.added":"User added","password.changed":"Password changed","password.change_failed":"Password change refused","mail.smtp_saved":"E-mail settings saved","mail.test_sent":"Test mail sent","mail.test_failed":"Test mail not sent","mail.invitation_sent":"Sign-in invitation e-mailed","mail.invitation_failed":"Sign-in invitation not sent"}[n]??n}function Q(n){const t=n.trim();if(!t)return t;const r=t.charAt(0).toUpperCase()+t.slice(1);return/[.!?…]$/.test(r)?r:r+"."}const Oi={currentPassword:"the current password",newPassword:"the new password",password:"the password",email:"the e-mail address",name:"the name",token:"the token",expiresInDays:"the number of days",host:"the SMTP server",port:"the port",security:"the security",username:"the user name",from:"the sender address",fromName:"the sender name",to:"the address"};function Di(n,t){const r=jn(t);let s=n.trim();const i=Oi[r];if(r&&i){const a=new RegExp(`^(?:input\\.)?${r}\\b:?\\s*`);if(a.test(s)){const o=s.replace(a,"");s=/^(is|are|must|should|cannot|can't|has|was)\b/i.test(o)?`${i} ${o}`:o}}return Q(s)}const Rt="synchronizer:navigate";function cn(){return{pathname:window.location.pathname,search:window.location.search}}function pe(n,t={}){const r=window.location.pathname+window.location.search;n!==r&&(t.replace?window.history.replaceState(null,"",n):window.history.pushState(null,"",n),window.dispatchEvent(new Event(Rt)))}function Ui(){const[n,t]=y(cn);return ee(()=>{const r=()=>t(cn());return window.addEventListener("popstate",r),window.addEventListener(Rt,r),()=>{window.removeEventListener("popstate",r),window.removeEventListener(Rt,r)}},[]),n}function O(n){const{href:t,onClick:r,...s}=n;return e("a",{...s,href:t,onClick:i=>{r&&r(i),!(i.defaultPrevented||i.button!==0||i.metaKey||i.ctrlKey||i.shiftKey||i.altKey)&&(i.preventDefault(),pe(t))}})}function Ft(){return e("span",{class:"spinner","aria-hidden":"true"})}function I(n){const{busy:t,busyLabel:r,variant:s="secondary",type:i="button",disabled:a,children:o,class:l,...u}=n;return e("button",{...u,type:i,class:`btn btn-${s}${l?" "+l:""}`,disabled:a||t,"aria-busy":t?"true":void 0,children:[t&&e(Ft,{}),e("span",{children:t&&r?r:o})]})}function x(n){const t=ge(),r=n.hint?`${t}-hint`:void 0,s=n.error?`${t}-err`:void 0,i=[s,r].filter(Boolean).join(" ")||void 0;return e("div",{class:`field${n.error?" field-invalid":""}`,children:[e("label",{for:t,children:[n.label,n.required&&e("span",{class:"req",children:" (required)"})]}),n.hint&&e("p",{id:r,class:"hint",children:n.hint}),e("input",{id:t,ref:n.inputRef,name:n.name,type:n.type??"text",value:n.value,onInput:a=>n.onInput(a.currentTarget.value),autoComplete:n.autoComplete,required:n.required,"aria-required":n.required?"true":void 0,"aria-invalid":n.error?"true":void 0,"aria-describedby":i,inputMode:n.inputMode,min:n.min,max:n.max,disabled:n.disabled,spellcheck:!1}),n.error&&e("p",{id:s,class:"field-error",children:n.error})]})}function N(n){const t=n.error;if(!t)return null;const r=n.hints?.[t.code]??t.hint;return e("div",{class:"alert alert-error",role:"alert",children:[e("p",{class:"alert-title",children:n.title??"That did not work"}),e("p",{children:Q(t.message)}),e("p",{class:"alert-hint",children:r}),n.onRetry&&e(I,{variant:"secondary",onClick:n.onRetry,children:"Try again"})]})}function U(n){return e("div",{class:`alert alert-${n.kind??"info"}`,role:"status",children:n.children})}function j(n){return e("p",{class:"loading",role:"status",children:[e(Ft,{})," ",n.label]})}let dn=!0;function H(n){const t=re(null);return ee(()=>{document.title=`${n.title} · Synchronizer`,dn?dn=!1:t.current?.focus({preventScroll:!1})},[n.title]),e("header",{class:"page-header",children:[e("div",{children:[e("h1",{ref:t,tabIndex:-1,children:n.title}),n.intro&&e("p",{class:"intro",children:n.intro})]}),n.actions&&e("div",{class:"page-actions",children:n.actions})]})}function Oe(n){const t=re(null),[r,s]=y(!1),[i,a]=y(null),o=ge();ee(()=>{const u=t.current;u&&(n.open&&!u.open?(a(null),u.showModal()):!n.open&&u.open&&u.close())},[n.open]);const l=async()=>{s(!0),a(null);try{await n.onConfirm(),n.onClose()}catch(u){a(Y(u))}finally{s(!1)}};return e("dialog",{ref:t,class:"dialog","aria-labelledby":o,onCancel:u=>{r?u.preventDefault():n.onClose()},children:[e("h2",{id:o,children:n.title}),e("div",{class:"dialog-body",children:n.children}),e(N,{error:i}),e("div",{class:"dialog-actions",children:[e(I,{variant:"secondary",onClick:n.onClose,disabled:r,children:"Cancel"}),e(I,{variant:"danger",onClick:l,busy:r,busyLabel:n.busyLabel,children:n.confirmLabel})]})]})}function qt(n){const[t,r]=y("idle"),s=Ai(async()=>{try{await navigator.clipboard.writeText(n.text),r("copied")}catch{r("failed")}},[n.text]);return e("span",{class:"copy",children:[e(I,{variant:"secondary",onClick:s,children:n.label??"Copy"}),e("span",{class:"copy-status",role:"status",children:t==="copied"?"Copied to the clipboard.":t==="failed"?"Could not copy: select the text and copy it by hand.":""})]})}function ue(n){return e("section",{class:"empty","aria-label":n.title,children:[e("h2",{children:n.title}),n.children]})}function he(n,t){const r=Y(n),s=jn(r.field);return r.code==="BAD_USER_INPUT"&&s&&t.includes(s)?{fields:{[s]:Di(r.message,r.field)},general:null}:{fields:{},general:r}}function se(n){setTimeout(()=>n?.querySelector('[aria-invalid="true"]')?.focus(),0)}function G(n,t=[]){const[r,s]=y(null),[i,a]=y(null),[o,l]=y(!0),[u,c]=y(0);return ee(()=>{let h=!0;return l(!0),a(null),n().then(b=>{h&&(s(b),l(!1))},b=>{h&&(a(Y(b)),l(!1))}),()=>{h=!1}},[u,...t]),{data:r,error:i,loading:o,reload:()=>c(h=>h+1),setData:s}}const Yn=Cr(null);function L(){const n=Ei(Yn);if(!n)throw new Error("useApp outside AppContext");return n}const At=[{path:"/",label:"Overview",adminOnly:!1,group:"sync"},{path:"/portal",label:"Your sync",adminOnly:!1,group:"sync",userOnly:!0},{path:"/profiles",label:"Profiles",adminOnly:!0,group:"sync"},{path:"/users",label:"Users",adminOnly:!0,group:"sync"},{path:"/conflicts",label:"Conflicts",adminOnly:!0,group:"sync"},{path:"/approvals",label:"Approvals",adminOnly:!0,group:"sync"},{path:"/governor",label:"Governor",adminOnly:!0,group:"sync"},{path:"/checks",label:"Checks",adminOnly:!0,group:"sync"},{path:"/audit",label:"Audit log",adminOnly:!0,group:"system"},{path:"/settings",label:"Settings",adminOnly:!0,group:"system"},{path:"/admins",label:"Admins & tokens",adminOnly:!0,group:"system"},{path:"/account",label:"Your account",adminOnly:!1,group:"system"}],Fi=new Set(["/login","/setup","/invite"]),Et=new Set(["/portal","/account"]);function zn(n){const t=/^\/invite\/([^/]+)$/.exec(Ie(n));if(!t)return"";try{return decodeURIComponent(t[1])}catch{return""}}function Ie(n){let t=("/"+n).replace(/\/{2,}/g,"/");return t.length>1&&t.endsWith("/")&&(t=t.slice(0,-1)),t}function Nt(n){if(!n||!n.startsWith("/")||n.startsWith("//")||n.startsWith("/\\"))return"/";const t=Ie(n.split(/[?#]/)[0]);return Fi.has(t)?"/":n}function qi(n,t,r,s){const i=Ie(r),a=new URLSearchParams(s);if(n==="SETUP"){if(i==="/setup")return{redirect:null};const o=a.get("token");return{redirect:o?`/setup?token=${encodeURIComponent(o)}`:"/setup"}}if(zn(i))return{redirect:null};if(!t)return i==="/login"||i==="/invite"?{redirect:null}:i==="/setup"||i==="/"?{redirect:"/login"}:{redirect:`/login?next=${encodeURIComponent(i+s)}`};if(!ne(t)){if(Et.has(i))return{redirect:null};const o=i==="/login"?Nt(a.get("next")):"/portal";return{redirect:Et.has(Ie(o.split(/[?#]/)[0]))?o:"/portal"}}return i==="/login"||i==="/setup"?{redirect:Nt(a.get("next"))}:{redirect:null}}function Bi(n){const t=Ie(n);return At.find(r=>r.path===t)}function ne(n){return!!n&&String(n.role).toUpperCase()==="ADMIN"}function Wi(n){return ne(n)?At.filter(t=>!t.userOnly):At.filter(t=>Et.has(t.path))}function Bt(n,t){return`/users/${encodeURIComponent(n)}/${encodeURIComponent(t)}`}function Hi(n){const t=/^\/users\/([^/]+)\/([^/]+)$/.exec(n);if(!t)return null;try{return{profileId:decodeURIComponent(t[1]),userId:decodeURIComponent(t[2])}}catch{return null}}function ji(){return e(C,{children:[e(H,{title:"Admins & tokens",intro:"Administrators manage this installation. API tokens let scripts use the GraphQL API without a password."}),e(Yi,{}),e(Vn,{})]})}function Yi(){const{api:n,viewer:t}=L(),r=G(()=>n.admins()),[s,i]=y("none"),[a,o]=y(null),[l,u]=y("");return e("section",{class:"card","aria-labelledby":"admins-h",children:[e("div",{class:"card-head",children:[e("h2",{id:"admins-h",children:"Administrators"}),e("div",{class:"card-actions",children:[e(I,{variant:"primary",onClick:()=>i(s==="invite"?"none":"invite"),"aria-expanded":s==="invite"?"true":"false",children:"Invite admin"}),e(I,{onClick:()=>i(s==="add"?"none":"add"),"aria-expanded":s==="add"?"true":"false",children:"Add with password"})]})]}),l&&e(U,{kind:"success",children:l}),s==="invite"&&e(zi,{onDone:()=>r.reload(),onCancel:()=>i("none")}),s==="add"&&e(Vi,{onCancel:()=>i("none"),onDone:c=>{i("none"),u(`${c} can now sign in as an administrator. Give them their password through a safe channel.`),r.reload()}}),r.loading&&!r.data&&e(j,{label:"Loading administrators…"}),e(N,{error:r.error,title:"Could not load the administrators",onRetry:r.reload}),r.data&&e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Administrators",children:[e("table",{children:[e("caption",{class:"sr-only",children:"Administrators"}),e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Name"}),e("th",{scope:"col",children:"E-mail"}),e("th",{scope:"col",children:"Added"}),e("th",{scope:"col",children:e("span",{class:"sr-only",children:"Actions"})})]})}),e("tbody",{children:r.data.admins.map(c=>e("tr",{children:[e("td",{children:[c.name,c.id===t?.id&&e("span",{class:"badge badge-muted",children:"you"})]}),e("td",{children:c.email}),e("td",{children:E(c.createdAt)}),e("td",{class:"actions",children:e(I,{variant:"ghost",class:"danger-text",onClick:()=>o(c),disabled:r.data.admins.length<2,title:r.data.admins.length<2?"The last administrator cannot be removed.":void 0,"aria-label":`Remove ${c.name||c.email}`,children:"Remove"})})]},c.id))})]}),r.data.admins.length<2&&e("p",{class:"muted",children:"The last administrator cannot be removed. Invite another one first."})]}),e(Oe,{open:a!==null,title:`Remove ${a?.name||a?.email||"administrator"}?`,confirmLabel:"Remove administrator",busyLabel:"Removing…",onClose:()=>o(null),onConfirm:async()=>{a&&(await n.removeAdmin({id:a.id}),u(`${a.email} was removed. Their sessions and API tokens no longer work.`),r.setData(c=>c&&{admins:c.admins.filter(h=>h.id!==a.id)}),r.reload())},children:e("p",{children:[a?.email," will be signed out everywhere and their API tokens stop working.",a?.id===t?.id&&" This is your own account: you will be signed out."]})})]})}function zi(n){const{api:t}=L(),[r,s]=y(""),[i,a]=y(""),[o,l]=y({}),[u,c]=y(null),[h,b]=y(!1),[d,f]=y(null);if(d){const g=Li(d.link,window.location.origin);return e("div",{class:"subpanel",role:"region","aria-label":"Invitation link",children:[e(U,{kind:"success",children:["Invitation created for ",d.name," (",d.email,"). Send them this link; it works once and expires"," ",E(d.expiresAt),"."]}),e("div",{class:"secret-row",children:[e("code",{class:"secret",id:"invite-link",children:g}),e(qt,{text:g,label:"Copy link"})]}),e("p",{class:"muted",children:"Synchronizer does not send e-mail yet: pass the link on yourself, through a channel you trust."}),e(I,{onClick:n.onCancel,children:"Done"})]})}return e("form",{class:"subpanel",onSubmit:async g=>{g.preventDefault();const w={},v=mt(r);if(v&&(w.email=v),i.trim()||(w.name="Enter their name."),l(w),c(null),!Object.keys(w).length){b(!0);try{const _=await t.inviteAdmin({email:r.trim(),name:i.trim()});f(_.inviteAdmin),n.onDone()}catch(_){const S=he(_,["email","name"]);l(S.fields),c(S.general)}finally{b(!1)}}},noValidate:!0,"aria-label":"Invite an administrator",children:[e("h3",{children:"Invite an administrator"}),e("p",{class:"muted",children:"You get a one-time link, valid for 7 days, with which they choose their own password."}),e(N,{error:u,title:"Could not create the invitation"}),e("div",{class:"form-row",children:[e(x,{label:"Name",name:"name",value:i,onInput:a,required:!0,autoComplete:"off",error:o.name}),e(x,{label:"E-mail address",name:"email",type:"email",inputMode:"email",value:r,onInput:s,required:!0,autoComplete:"off",error:o.email})]}),e("div",{class:"form-actions",children:[e(I,{type:"submit",variant:"primary",busy:h,busyLabel:"Creating link…",children:"Create invitation link"}),e(I,{onClick:n.onCancel,disabled:h,children:"Cancel"})]})]})}function Vi(n){const{api:t}=L(),[r,s]=y(""),[i,a]=y(""),[o,l]=y(""),[u,c]=y({}),[h,b]=y(null),[d,f]=y(!1);return e("form",{class:"subpanel",onSubmit:async g=>{g.preventDefault();const w={},v=mt(r);v&&(w.email=v),i.trim()||(w.name="Enter their name.");const _=ht(o);if(_&&(w.password=_),c(w),b(null),!Object.keys(w).length){f(!0);try{await t.addAdmin({email:r.trim(),name:i.trim(),password:o}),n.onDone(r.trim())}catch(S){const T=he(S,["email","name","password"]);c(T.fields),b(T.general),f(!1)}}},noValidate:!0,"aria-label":"Add an administrator",children:[e("h3",{children:"Add an administrator with a password"}),e("p",{class:"muted",children:"Use this when you cannot send a link. Ask them to change the password after their first sign-in."}),e(N,{error:h,title:"Could not add the administrator"}),e("div",{class:"form-row",children:[e(x,{label:"Name",name:"name",value:i,onInput:a,required:!0,autoComplete:"off",error:u.name}),e(x,{label:"E-mail address",name:"email",type:"email",inputMode:"email",value:r,onInput:s,required:!0,autoComplete:"off",error:u.email})]}),e(x,{label:"Initial password",name:"password",type:"password",value:o,onInput:l,required:!0,autoComplete:"new-password",error:u.password,hint:"At least 12 characters."}),e("div",{class:"form-actions",children:[e(I,{type:"submit",variant:"primary",busy:d,busyLabel:"Adding…",children:"Add administrator"}),e(I,{onClick:n.onCancel,disabled:d,children:"Cancel"})]})]})}function Vn(){const{api:n}=L(),t=G(()=>n.apiTokens()),[r,s]=y(!1),[i,a]=y(null),[o,l]=y(null),[u,c]=y("");return e("section",{class:"card","aria-labelledby":"tokens-h",children:[e("div",{class:"card-head",children:[e("h2",{id:"tokens-h",children:"Your API tokens"}),e("div",{class:"card-actions",children:e(I,{variant:"primary",onClick:()=>{s(!r),a(null)},"aria-expanded":r?"true":"false",children:"Create token"})})]}),e("p",{class:"muted",children:["Scripts send a token as ",e("code",{children:"Authorization: Bearer <token>"}),". A token acts as you, with your role."]}),u&&e(U,{kind:"success",children:u}),i&&e("div",{class:"subpanel secret-panel",role:"region","aria-labelledby":"secret-h",children:[e("h3",{id:"secret-h",children:["Token “",i.token.name,"” created"]}),e("div",{class:"alert alert-warning",role:"alert",children:[e("p",{class:"alert-title",children:"Copy it now: it is shown only this once."}),e("p",{children:"Synchronizer stores only a hash of it. If you lose it, revoke it and create a new one."})]}),e("div",{class:"secret-row",children:[e("code",{class:"secret",id:"token-secret",children:i.secret}),e(qt,{text:i.secret,label:"Copy token"})]}),e(I,{onClick:()=>a(null),children:"I have stored it"})]}),r&&e(Gi,{onCancel:()=>s(!1),onCreated:h=>{s(!1),a(h),c(""),t.reload()}}),t.loading&&!t.data&&e(j,{label:"Loading API tokens…"}),e(N,{error:t.error,title:"Could not load the API tokens",onRetry:t.reload}),t.data&&t.data.apiTokens.length===0&&e("p",{children:"You have no API tokens."}),t.data&&t.data.apiTokens.length>0&&e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Your API tokens",children:e("table",{children:[e("caption",{class:"sr-only",children:"Your API tokens"}),e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Name"}),e("th",{scope:"col",children:"Created"}),e("th",{scope:"col",children:"Expires"}),e("th",{scope:"col",children:"Last used"}),e("th",{scope:"col",children:e("span",{class:"sr-only",children:"Actions"})})]})}),e("tbody",{children:t.data.apiTokens.map(h=>e("tr",{children:[e("td",{children:h.name}),e("td",{children:E(h.createdAt)}),e("td",{children:h.expiresAt?E(h.expiresAt):"Never"}),e("td",{children:h.lastUsedAt?E(h.lastUsedAt):"Not yet"}),e("td",{class:"actions",children:e(I,{variant:"ghost",class:"danger-text",onClick:()=>l(h),"aria-label":`Revoke token ${h.name}`,children:"Revoke"})})]},h.id))})]})}),e(Oe,{open:o!==null,title:`Revoke token “${o?.name??""}”?`,confirmLabel:"Revoke token",busyLabel:"Revoking…",onClose:()=>l(null),onConfirm:async()=>{o&&(await n.revokeApiToken({id:o.id}),t.setData(h=>h&&{apiTokens:h.apiTokens.filter(b=>b.id!==o.id)}),c(`Token “${o.name}” was revoked. Scripts using it are refused from now on.`),i?.token.id===o.id&&a(null),t.reload())},children:e("p",{children:"Scripts that use this token will be refused at once. This cannot be undone."})})]})}function Gi(n){const{api:t}=L(),[r,s]=y(""),[i,a]=y("90"),[o,l]=y({}),[u,c]=y(null),[h,b]=y(!1),d=re(null);return e("form",{class:"subpanel",onSubmit:async p=>{p.preventDefault();const g={};r.trim()||(g.name="Give the token a name that says where it is used, for example “backup script”.");const w=i.trim()===""?0:Number(i);if((!Number.isInteger(w)||w<0||w>3650)&&(g.expiresInDays="Enter a whole number of days from 0 to 3650 (0 means never)."),l(g),c(null),!Object.keys(g).length){b(!0);try{const v=await t.createApiToken({name:r.trim(),expiresInDays:w===0?null:w});n.onCreated(v.createApiToken)}catch(v){const _=he(v,["name","expiresInDays"]);l(_.fields),c(_.general),b(!1)}}},noValidate:!0,"aria-label":"Create an API token",children:[e("h3",{children:"Create an API token"}),e(N,{error:u,title:"Could not create the token"}),e("div",{class:"form-row",children:[e(x,{label:"Name",name:"name",value:r,onInput:s,required:!0,autoComplete:"off",error:o.name,inputRef:d,hint:"Where the token is used."}),e(x,{label:"Expires after (days)",name:"expiresInDays",type:"number",inputMode:"numeric",min:0,max:3650,value:i,onInput:a,error:o.expiresInDays,hint:"0 means the token never expires."})]}),e("div",{class:"form-actions",children:[e(I,{type:"submit",variant:"primary",busy:h,busyLabel:"Creating token…",children:"Create token"}),e(I,{onClick:n.onCancel,disabled:h,children:"Cancel"})]})]})}function Ki(){const{viewer:n}=L();return e(C,{children:[e(H,{title:"Your account"}),e("section",{class:"card","aria-labelledby":"acct-h",children:[e("h2",{id:"acct-h",children:"Account"}),e("dl",{class:"facts",children:[e("dt",{children:"Name"}),e("dd",{children:n?.name||"—"}),e("dt",{children:"E-mail"}),e("dd",{children:n?.email}),e("dt",{children:"Role"}),e("dd",{children:ne(n)?"Administrator":"User"}),e("dt",{children:"Since"}),e("dd",{children:E(n?.createdAt)})]})]}),e(Qi,{}),!ne(n)&&e(Vn,{})]})}function Qi(){const{api:n,viewer:t}=L(),r=!ne(t),[s,i]=y(""),[a,o]=y(""),[l,u]=y(""),[c,h]=y({}),[b,d]=y(null),[f,p]=y(!1),[g,w]=y(!1),v=re(null);return e("section",{class:"card","aria-labelledby":"pw-h",children:[e("h2",{id:"pw-h",children:"Change password"}),e("p",{class:"muted",children:"Your other sessions are signed out when the password changes."}),g&&e(U,{kind:"success",children:"Your password has been changed."}),e("form",{ref:v,onSubmit:async S=>{S.preventDefault();const T={};!s&&!r&&(T.currentPassword="Enter your current password.");const R=ht(a);if(R?T.newPassword=R:a===s?T.newPassword="Choose a password different from the current one.":l!==a&&(T.confirm="The two new passwords differ. Type the same password twice."),h(T),d(null),w(!1),Object.keys(T).length){se(v.current);return}p(!0);try{await n.changePassword({currentPassword:s,newPassword:a}),w(!0),i(""),o(""),u("")}catch(q){const K=he(q,["currentPassword","newPassword"]);h(K.fields),d(K.general),se(v.current)}finally{p(!1)}},noValidate:!0,class:"narrow",children:[e(N,{error:b,title:"The password was not changed"}),e(x,{label:"Current password",name:"currentPassword",type:"password",value:s,onInput:i,required:!r,autoComplete:"current-password",error:c.currentPassword,hint:r?"Leave it empty if you signed in from an invitation or with SuperOffice and have not set a password yet.":void 0}),e(x,{label:"New password",name:"newPassword",type:"password",value:a,onInput:o,required:!0,autoComplete:"new-password",error:c.newPassword,hint:"At least 12 characters."}),e(x,{label:"Repeat the new password",name:"confirm",type:"password",value:l,onInput:u,required:!0,autoComplete:"new-password",error:c.confirm}),e(I,{type:"submit",variant:"primary",busy:f,busyLabel:"Changing password…",children:"Change password"})]})]})}function Ji(){const{api:n,viewer:t}=L(),r=G(()=>n.version()),s=ne(t);return e(C,{children:[e(H,{title:"Overview",intro:`Welcome${t?.name?", "+t.name:""}. This is where Synchronizer will show how your systems are doing.`}),e("section",{class:"card","aria-labelledby":"ov-system",children:[e("h2",{id:"ov-system",children:"This installation"}),r.loading&&e(j,{label:"Loading version…"}),e(N,{error:r.error,title:"Could not load the version",onRetry:r.reload}),r.data&&e("dl",{class:"facts",children:[e("dt",{children:"Version"}),e("dd",{children:r.data.version.version}),e("dt",{children:"Commit"}),e("dd",{children:e("code",{children:r.data.version.commit||"unknown"})}),e("dt",{children:"Signed in as"}),e("dd",{children:[t?.email," (",s?"administrator":"user",")"]})]})]}),s?e("section",{class:"card","aria-labelledby":"ov-next",children:[e("h2",{id:"ov-next",children:"What you can do today"}),e("ul",{class:"checklist",children:[e("li",{children:[e(O,{href:"/admins",children:"Invite the other administrators"})," and create API tokens for scripts."]}),e("li",{children:["Review sign-ins and changes in the ",e(O,{href:"/audit",children:"audit log"}),"."]}),e("li",{children:["Change your password in ",e(O,{href:"/account",children:"your account"}),"."]})]}),e("p",{class:"muted",children:[e(O,{href:"/profiles",children:"Profiles"}),", ",e(O,{href:"/users",children:"users"}),", ",e(O,{href:"/conflicts",children:"conflicts"}),","," ",e(O,{href:"/approvals",children:"approvals"})," and the ",e(O,{href:"/governor",children:"governor"})," show the sync engine's real state. Profiles and users are created over the GraphQL API until the profile editor arrives; areas without an API yet say so instead of showing made-up data."]})]}):e("section",{class:"card","aria-labelledby":"ov-user",children:[e("h2",{id:"ov-user",children:"Your portal"}),e("p",{children:["Your own sync status and preferences arrive with the sync engine. You can already change your password and manage your API tokens in ",e(O,{href:"/account",children:"your account"}),"."]})]})]})}const Gn={};function Xi(n){const t=Gn[n.path];return t?e(C,{children:[e(H,{title:t.title}),e(ue,{title:t.arrives,children:[e("p",{children:t.body}),e("p",{class:"muted",children:"Nothing is shown here until it is real."})]})]}):e(Kn,{})}function Kn(){return e(C,{children:[e(H,{title:"Page not found"}),e("p",{children:["There is no page at ",e("code",{children:window.location.pathname}),". Check the address, or go back to the"," ",e(O,{href:"/",children:"overview"}),"."]})]})}function Ue(n){return e(C,{children:[e(H,{title:n.title}),e("div",{class:"alert alert-info",role:"status",children:[e("p",{class:"alert-title",children:"Administrators only"}),e("p",{children:["Your account has the user role. Ask an administrator if you need access, or go to"," ",e(O,{href:"/account",children:"your account"}),"."]})]})]})}const un=50;function Zi(){const{api:n}=L(),[t,r]=y([]),[s,i]=y(null),[a,o]=y(null),[l,u]=y(!1),[c,h]=y(null),b=G(async()=>{const p=await n.auditLog({first:un});return r([]),i(p.auditLog.pageInfo.endCursor),o(p.auditLog.pageInfo.hasNextPage),p}),d=async()=>{u(!0),h(null);try{const p=await n.auditLog({first:un,after:s});r(g=>[...g,...p.auditLog.edges]),i(p.auditLog.pageInfo.endCursor),o(p.auditLog.pageInfo.hasNextPage)}catch(p){h(Y(p))}finally{u(!1)}},f=b.data?[...b.data.auditLog.edges,...t]:[];return e(C,{children:[e(H,{title:"Audit log",intro:"Security events: setup, sign-ins (including failed ones), API tokens and changes to administrators. Newest first.",actions:e(I,{onClick:b.reload,busy:b.loading&&!!b.data,busyLabel:"Refreshing…",children:"Refresh"})}),b.loading&&!b.data&&e(j,{label:"Loading the audit log…"}),e(N,{error:b.error,title:"Could not load the audit log",onRetry:b.reload}),b.data&&f.length===0&&e("p",{children:"No events yet."}),f.length>0&&e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Audit events",children:e("table",{class:"audit",children:[e("caption",{class:"sr-only",children:"Audit events, newest first"}),e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"When"}),e("th",{scope:"col",children:"Event"}),e("th",{scope:"col",children:"Who"}),e("th",{scope:"col",children:"Target"}),e("th",{scope:"col",children:"From"}),e("th",{scope:"col",children:"Detail"})]})}),e("tbody",{children:f.map(({node:p})=>e("tr",{class:p.action.endsWith("failed")?"row-warn":void 0,children:[e("td",{class:"when",children:e("time",{dateTime:p.time,children:E(p.time)})}),e("td",{children:[Mi(p.action),e("span",{class:"code-name",children:[" ",p.action]})]}),e("td",{children:p.actor||"—"}),e("td",{children:p.target||"—"}),e("td",{class:"ip",children:p.ip||"—"}),e("td",{class:"detail",children:p.detail||"—"})]},p.id))})]})}),e(N,{error:c,title:"Could not load older events",onRetry:d}),a&&e("p",{children:e(I,{onClick:d,busy:l,busyLabel:"Loading older events…",children:"Show older events"})}),a===!1&&f.length>0&&e("p",{class:"muted",children:["That is the whole log (",f.length," events)."]})]})}const Qn=`
  fragment CheckResultFields on CheckResult {
    name
    status
    detail
    fix
  }
`,es=`
  mutation TestSystem($system: SystemInput!, $profileId: ID) {
    testSystem(system: $system, profileId: $profileId) {
      type
      instance
      ok
      durationMs
      checkedAt
      timedOut
      message
      results {
        ...CheckResultFields
      }
    }
  }
  ${Qn}
`,ts=`
  query ProfileChecks($profileId: ID!, $users: [ID!]) {
    profileChecks(profileId: $profileId, users: $users) {
      profileId
      ok
      checkedAt
      message
      crm {
        side
        type
        instance
        ok
        durationMs
        timedOut
        message
        results {
          ...CheckResultFields
        }
      }
      mailbox {
        side
        type
        instance
        ok
        durationMs
        timedOut
        message
        results {
          ...CheckResultFields
        }
      }
      users {
        userId
        ok
        crm {
          email
          name
        }
        mailbox {
          email
          name
        }
        crmResults {
          ...CheckResultFields
        }
        mailboxResults {
          ...CheckResultFields
        }
      }
    }
  }
  ${Qn}
`,ns=`
  query SuggestLinks($crm: SystemInput!, $mailbox: SystemInput!, $profileId: ID) {
    suggestLinks(crm: $crm, mailbox: $mailbox, profileId: $profileId) {
      complete
      message
      pairs {
        crm {
          id
          email
          name
        }
        mailbox {
          id
          email
          name
        }
        matchedBy
        address
      }
      unmatchedCrm {
        id
        email
        name
      }
      unmatchedMailbox {
        id
        email
        name
      }
    }
  }
`,rs=`
  query EditSyncProfile($id: ID!) {
    syncProfile(id: $id) {
      id
      name
      crm {
        type
        instance
        settings
        secretFields
      }
      mailbox {
        type
        instance
        settings
        secretFields
      }
      directions {
        kind
        direction
      }
      daysBack
      daysAhead
      filters {
        skipPrivate
        skipAllDay
        skipFree
        skipRecurring
      }
      policy
      onDelete
      pollSeconds
      guard {
        deletes {
          count
          percent
        }
        creates {
          count
          percent
        }
        profileDeletes
        profileCreates
        profileWindowSeconds
        guardFirstSync
      }
      userMay {
        directions
        filters
        window
      }
      users {
        id
        crm {
          id
          email
          name
        }
        mailbox {
          id
          email
          name
        }
      }
    }
  }
`,is=`
  query SystemSecretsSet($instance: String!, $names: [String!]!) {
    systemSecretsSet(instance: $instance, names: $names)
  }
`,ss=`
  mutation UnlinkUser($profileId: ID!, $userId: ID!) {
    unlinkUser(profileId: $profileId, userId: $userId)
  }
`;function Jn(n){const t=n.client;return{testSystem:r=>t.request(es,r),profileChecks:r=>t.request(ts,r),suggestLinks:r=>t.request(ns,r),editProfile:r=>t.request(rs,r),secretsSet:r=>t.request(is,r),unlinkUser:r=>t.request(ss,r)}}const as="graphql-transport-ws";function os(n,t=1e3,r=3e4){return Math.min(r,t*2**Math.min(n,20))}function ls(n=window.location){return`${n.protocol==="https:"?"wss:":"ws:"}//${n.host}/graphql`}function cs(n){const t=n.socket??(g=>new WebSocket(g,as)),r=n.setTimer??((g,w)=>window.setTimeout(g,w)),s=n.clearTimer??(g=>window.clearTimeout(g)),i=n.minDelayMs??1e3,a=n.maxDelayMs??3e4;let o=!1,l=0,u=null,c=null;const h=(g,w)=>n.onState?.(g,w);let b=!1,d=!1;const f=()=>{if(c=null,o)return;b||h("connecting");let g;try{g=t(n.url??ls())}catch(w){p(w instanceof Error?w.message:String(w));return}u=g,g.onopen=()=>g.send(JSON.stringify({type:"connection_init",payload:{}})),g.onmessage=w=>{let v;try{v=JSON.parse(String(w.data))}catch{return}switch(v.type){case"connection_ack":g.send(JSON.stringify({id:"1",type:"subscribe",payload:{query:n.query,variables:n.variables??{}}}));break;case"ping":g.send(JSON.stringify({type:"pong"}));break;case"next":{const _=v.payload;_?.errors?.length?(g.close(4400,"subscription error"),p(_.errors[0].message??"the server refused the subscription")):_?.data&&(d||(d=!0,l=0,h("live")),n.onData(_.data));break}case"error":{const _=v.payload;g.close(4400,"subscription error"),p(_?.[0]?.message??"the server refused the subscription");break}case"complete":g.close(1e3,"complete"),p("the server ended the subscription");break}},g.onerror=()=>{},g.onclose=w=>{u===g&&p(w.reason||`the connection closed (${w.code})`)}},p=g=>{const w=u;u=null,w&&(w.onclose=null,w.onmessage=null),!(o||c!==null)&&(b=!0,d=!1,h("offline",g),c=r(f,os(l++,i,a)))};return f(),()=>{o=!0,c!==null&&s(c),c=null;const g=u;if(u=null,g){g.onclose=null,g.onmessage=null;try{g.close(1e3,"done")}catch{}}}}const ds=`
  query GovernorHistory($scope: String, $minutes: Int) {
    governorHistory(scope: $scope, minutes: $minutes) {
      scope
      stepSeconds
      samples {
        at
        admitted
        throttled
        waitedMs
        maxInFlight
      }
    }
  }
`,us=`
  query TlsStatus {
    tlsStatus {
      mode
      domains
      publicUrl
      httpRedirect
      certificates {
        domain
        subject
        issuer
        dnsNames
        notBefore
        notAfter
        daysLeft
      }
      renewalError
      renewalErrorAt
      problems {
        severity
        domain
        message
        action
      }
    }
  }
`,hs=`
  mutation CreateBackupLink($encrypted: Boolean) {
    createBackupLink(encrypted: $encrypted) {
      url
      expiresAt
    }
  }
`,ms=`
  query Reinvitations($profileId: ID) {
    reinvitations(profileId: $profileId) {
      profileId
      userId
      at
      error
      sent
      to
      reason
      adminsNotified
    }
  }
`;class fs{constructor(t){this.api=t}api;governorHistory(t){return this.api.client.request(ds,t)}tlsStatus(){return this.api.client.request(us)}createBackupLink(t){return this.api.client.request(hs,t)}reinvitations(t){return this.api.client.request(ms,t)}}function ps(n,t){const r=Math.max(1,Math.floor(t)),s=[],i=n.length%r;i>0&&s.push(hn(n.slice(0,i)));for(let a=i;a<n.length;a+=r)s.push(hn(n.slice(a,a+r)));return s}function hn(n){const t={from:n[0].at,admitted:0,throttled:0,waitedMs:0,maxInFlight:0};for(const r of n)t.admitted+=r.admitted,t.throttled+=r.throttled,t.waitedMs+=r.waitedMs,t.maxInFlight=Math.max(t.maxInFlight,r.maxInFlight);return t}function ys(n){if(!(n>1))return 1;const t=Math.pow(10,Math.floor(Math.log10(n)));for(const r of[1,2,5,10])if(r*t>=n)return r*t;return 10*t}function gs(n,t,r){const s=ys(Math.max(0,...n.map(l=>l.admitted))),i=n.length>0?t/n.length:t,a=Math.max(1,i*.8),o=(l,u)=>{const c=Math.min(u,s)/s*r;return{x:l*i+(i-a)/2,y:r-c,w:a,h:c}};return{max:s,admitted:n.map((l,u)=>o(u,l.admitted)),throttled:n.map((l,u)=>o(u,l.throttled)),marks:n.flatMap((l,u)=>l.throttled>0?[u*i+i/2]:[])}}function bs(n,t){const r=n.reduce((c,h)=>c+h.admitted,0),s=n.reduce((c,h)=>c+h.throttled,0),i=n.reduce((c,h)=>c+h.waitedMs,0),a=n.reduce((c,h)=>Math.max(c,h.maxInFlight),0),o=`${r.toLocaleString("en")} ${r===1?"call":"calls"}`,l=s===0?"no throttling":`${s.toLocaleString("en")} throttling ${s===1?"answer":"answers"}`,u=i===0?"no waiting":`${Xn(i)} waited in total`;return`Last ${t} minutes: ${o}, ${l}, ${u}, at most ${a} in flight.`}function Xn(n){return n<1e3?`${Math.round(n)} ms`:n<12e4?`${(n/1e3).toFixed(n<1e4?1:0)} s`:`${Math.round(n/6e4)} min`}const rt=["General","Systems","What to sync","Users","Review"];function Zn(n,t){return!!n.secretsSet?.includes(t.trim())&&n.instance.trim()===n.savedInstance}const Pe={superoffice:{label:"SuperOffice CRM",side:"crm",settings:{mode:"online",baseUrl:"https://sod.superoffice.com/Cust12345/api/",loginUrl:"https://online.superoffice.com/login",contextIdentifier:"Cust12345",clientId:"",timeZone:"Europe/Oslo"},secrets:["partner_key","client_secret","system_token","password","ticket"]},msgraph:{label:"Microsoft 365 (Graph)",side:"mailbox",settings:{tenantId:"",clientId:""},secrets:["client-secret","client-certificate"]},dav:{label:"CalDAV / CardDAV",side:"mailbox",settings:{url:"https://dav.example.com/",username:""},secrets:[]}};function Pt(n,t){const r=Pe[n];return{type:n,instance:t,settings:JSON.stringify(r?.settings??{},null,2),secrets:[]}}function er(){return{id:"",name:"",crm:Pt("superoffice","superoffice"),mailbox:Pt("msgraph","m365"),directions:{APPOINTMENT:"TWO_WAY",TASK:"OFF",CONTACT:"OFF",GROUP:"OFF"},daysBack:"30",daysAhead:"120",skipPrivate:!1,skipAllDay:!1,skipFree:!1,skipRecurring:!1,policy:"NEWEST",onDelete:"UPDATE_WINS",pollSeconds:"300",guardDeletes:"10",guardDeletesPercent:"20",guardCreates:"50",guardCreatesPercent:"50",users:[]}}const vt=/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/,mn=/^[^\s@]+@[^\s@]+\.[^\s@]+$/;function Fe(n,t,r){if(!/^\d+$/.test(n.trim()))return!1;const s=Number(n);return s>=t&&s<=r}function fn(n,t,r){const s=n.trim();if(!/^\d+(\.\d+)?$/.test(s))return!1;const i=Number(s);return i>=t&&i<=r}function tr(n){if(!n.trim())return{value:{}};try{const t=JSON.parse(n);return!t||typeof t!="object"||Array.isArray(t)?{problem:'Enter a JSON object, like {"key": "value"}.'}:{value:t}}catch(t){return{problem:`This is not valid JSON (${t instanceof Error?t.message:String(t)}). Check quotes and commas.`}}}function Be(n,t){const r={};if(t===0&&(vt.test(n.id)||(r.id="Use letters, digits and . _ @ + - (at most 128), starting with a letter or digit."),n.name.trim()||(r.name="Give the profile a name people will recognise.")),t===1){for(const s of["crm","mailbox"]){const i=n[s];i.type||(r[`${s}.type`]="Choose the system."),vt.test(i.instance)||(r[`${s}.instance`]="Name this connection: letters, digits and . _ @ + -.");const a=tr(i.settings);a.problem&&(r[`${s}.settings`]=a.problem),i.secrets.forEach((o,l)=>{o.name.trim()?!o.value&&!Zn(i,o.name)&&(r[`${s}.secrets.${l}`]="Enter the value, or remove the row."):r[`${s}.secrets.${l}`]="Name the secret (see the list under the field), or remove the row."})}!r["crm.instance"]&&n.crm.instance===n.mailbox.instance&&(r["mailbox.instance"]="The two systems need different connection names.")}if(t===2&&(Fe(n.daysBack,0,3650)||(r.daysBack="Enter whole days between 0 and 3650."),Fe(n.daysAhead,0,3650)||(r.daysAhead="Enter whole days between 0 and 3650."),Fe(n.pollSeconds,30,86400)||(r.pollSeconds="Enter seconds between 30 and 86400."),Fe(n.guardDeletes,0,1e6)||(r["guard.deletes.count"]="Enter a whole number of items."),fn(n.guardDeletesPercent,0,100)||(r["guard.deletes.percent"]="Enter a percentage between 0 and 100."),Fe(n.guardCreates,0,1e6)||(r["guard.creates.count"]="Enter a whole number of items."),fn(n.guardCreatesPercent,0,100)||(r["guard.creates.percent"]="Enter a percentage between 0 and 100."),Object.values(n.directions).every(s=>s==="OFF")&&(r.directions="Choose at least one kind to sync.")),t===3){const s=new Set;n.users.forEach((i,a)=>{i.skip||(vt.test(i.id)?s.has(i.id)&&(r[`users.${a}.id`]=`The id ${i.id} is used twice.`):r[`users.${a}.id`]="Use letters, digits and . _ @ + - for the user id.",s.add(i.id),i.crmId.trim()||(r[`users.${a}.crm.id`]="Enter the CRM account id (the associate id in SuperOffice)."),i.crmEmail&&!mn.test(i.crmEmail)&&(r[`users.${a}.crm.email`]="This is not an e-mail address."),!i.mailboxId.trim()&&!mn.test(i.mailboxEmail)&&(r[`users.${a}.mailbox.email`]="Enter the mailbox e-mail address (or its id)."))})}return r}function nr(n){const t=it,r=n.saved?.guard??{profileDeletes:200,profileCreates:1e3,profileWindowSeconds:3600,guardFirstSync:!1};return{id:n.id.trim(),name:n.name.trim(),crm:t(n.crm),mailbox:t(n.mailbox),directions:Object.keys(n.directions).map(s=>({kind:s,direction:n.directions[s]})),daysBack:Number(n.daysBack),daysAhead:Number(n.daysAhead),filters:{skipPrivate:n.skipPrivate,skipAllDay:n.skipAllDay,skipFree:n.skipFree,skipRecurring:n.skipRecurring},policy:n.policy,onDelete:n.onDelete,pollSeconds:Number(n.pollSeconds),guard:{deletes:{count:Number(n.guardDeletes),percent:Number(n.guardDeletesPercent)},creates:{count:Number(n.guardCreates),percent:Number(n.guardCreatesPercent)},profileDeletes:r.profileDeletes,profileCreates:r.profileCreates,profileWindowSeconds:r.profileWindowSeconds,guardFirstSync:r.guardFirstSync},...n.saved?{userMay:n.saved.userMay}:{}}}function it(n){return{type:n.type,instance:n.instance.trim(),settings:JSON.stringify(tr(n.settings).value??{})}}function kt(n){return n.secrets.filter(t=>t.name.trim()&&t.value).map(t=>({name:t.name.trim(),value:t.value}))}function ws(n){return n.users.filter(t=>!t.skip).map(t=>({profileId:n.id.trim(),id:t.id.trim(),crm:{id:t.crmId.trim(),email:t.crmEmail.trim()||void 0,name:t.crmName?.trim()||void 0},mailbox:{id:t.mailboxId.trim()||void 0,email:t.mailboxEmail.trim()||void 0,name:t.mailboxName?.trim()||void 0}}))}const He="id,crmId,crmEmail,mailboxId,mailboxEmail";function vs(n){return/[",\n\r]/.test(n)?`"${n.replace(/"/g,'""')}"`:n}function ks(n){return[He,...n.map(t=>[t.id,t.crmId,t.crmEmail,t.mailboxId,t.mailboxEmail].map(vs).join(","))].join(`
`)+`
`}function pn(n){const t=[];let r="",s=!1;for(let i=0;i<n.length;i++){const a=n[i];s?a==='"'&&n[i+1]==='"'?(r+='"',i++):a==='"'?s=!1:r+=a:a==='"'?s=!0:a===","?(t.push(r),r=""):r+=a}return t.push(r),t.map(i=>i.trim())}function _s(n){const t=n.split(/\r?\n/).map((l,u)=>({l,n:u+1})).filter(l=>l.l.trim()!==""),r=[],s=[];let i=He.split(",");const a=He.split(","),o=l=>a.some(u=>u.toLowerCase()===l.toLowerCase());if(t.length>0){const l=pn(t[0].l),u=l.filter(o).length;if(u>0&&u*2>=l.length){t.shift();const c=l.filter(h=>!o(h));c.length&&s.push(`Line 1: unknown columns ${c.join(", ")}; use ${He}.`),i=l.map(h=>a.find(b=>b.toLowerCase()===h.toLowerCase())??h)}}for(const{l,n:u}of t){const c=pn(l);if(c.length>i.length){s.push(`Line ${u}: ${c.length} values, but there are ${i.length} columns (${i.join(",")}).`);continue}const h=d=>c[i.indexOf(d)]??"",b={id:h("id"),crmId:h("crmId"),crmEmail:h("crmEmail"),mailboxId:h("mailboxId"),mailboxEmail:h("mailboxEmail")};if(!b.id&&b.crmEmail&&(b.id=b.crmEmail.split("@")[0].replace(/[^A-Za-z0-9._@+-]/g,"")),!b.id||!b.crmId){s.push(`Line ${u}: needs at least an id (or a CRM e-mail) and a CRM id.`);continue}r.push(b)}return{users:r,errors:s}}function Is(n,t){const r=(n??"").replace(/^input\./,"");if(t!==void 0){const s=r==="crm.id"||r==="crm.email"||r==="mailbox.email"||r==="id"?r:r.startsWith("mailbox")?"mailbox.email":"id";return{step:3,key:`users.${t}.${s}`}}if(r==="id"||r==="name")return{step:0,key:r};if(r.startsWith("crm")||r.startsWith("mailbox")||r==="type"){const s=r.startsWith("mailbox")?"mailbox":"crm",i=r.slice(s.length+1);return{step:1,key:i==="instance"||i==="type"?`${s}.${i}`:`${s}.settings`}}return r.startsWith("directions")?{step:2,key:"directions"}:r.startsWith("guard.deletes")?{step:2,key:"guard.deletes.count"}:r.startsWith("guard.creates")?{step:2,key:"guard.creates.count"}:["daysBack","daysAhead","pollSeconds","policy","onDelete"].includes(r)?{step:2,key:r}:r?{step:1,key:"crm.settings"}:{step:4,key:""}}function Ss(n,t={crm:[],mailbox:[]}){const r=er(),s=(o,l)=>{let u=o.settings;try{u=JSON.stringify(JSON.parse(o.settings),null,2)}catch{}return{type:o.type,instance:o.instance,settings:u,secretFields:o.secretFields,secretsSet:l,savedInstance:o.instance,secrets:l.map(c=>({name:c,value:""}))}},i={...r.directions};for(const o of Object.keys(i))i[o]="OFF";for(const o of n.directions)i[o.kind]=o.direction;const a=n.users.map(o=>({id:o.id,crmId:o.crm.id,crmEmail:o.crm.email,mailboxId:o.mailbox.id,mailboxEmail:o.mailbox.email,crmName:o.crm.name,mailboxName:o.mailbox.name}));return{...r,id:n.id,name:n.name,crm:s(n.crm,t.crm),mailbox:s(n.mailbox,t.mailbox),directions:i,daysBack:String(n.daysBack),daysAhead:String(n.daysAhead),skipPrivate:n.filters.skipPrivate,skipAllDay:n.filters.skipAllDay,skipFree:n.filters.skipFree,skipRecurring:n.filters.skipRecurring,policy:n.policy,onDelete:n.onDelete,pollSeconds:String(n.pollSeconds),guardDeletes:String(n.guard.deletes.count),guardDeletesPercent:String(n.guard.deletes.percent),guardCreates:String(n.guard.creates.count),guardCreatesPercent:String(n.guard.creates.percent),users:a,saved:{users:a.map(o=>({...o})),guard:{profileDeletes:n.guard.profileDeletes,profileCreates:n.guard.profileCreates,profileWindowSeconds:n.guard.profileWindowSeconds,guardFirstSync:n.guard.guardFirstSync},userMay:{...n.userMay}}}}function Cs(n,t){let r=(n.split("@")[0]??"").replace(/[^A-Za-z0-9._@+-]/g,"").replace(/^[^A-Za-z0-9]+/,"").slice(0,120)||"user";r=r.toLowerCase();let s=r;for(let i=2;t.has(s);i++)s=`${r}-${i}`;return t.add(s),s}const $s={EMAIL:"same e-mail",ALIAS:"alias"};function xs(n,t){const r=new Set(n.map(o=>o.id)),s=new Set(n.map(o=>o.crmId)),i=[...n];let a=0;for(const o of t)s.has(o.crm.id)||(s.add(o.crm.id),i.push({id:Cs(o.crm.email||o.mailbox.email,r),crmId:o.crm.id,crmEmail:o.crm.email,mailboxId:o.mailbox.id,mailboxEmail:o.mailbox.email,crmName:o.crm.name,mailboxName:o.mailbox.name,match:`${$s[o.matchedBy]??o.matchedBy}: ${o.address}`}),a++);return{users:i,added:a}}function Ts(n,t){const r=t.filter(u=>!u.skip),s=new Map(n.map(u=>[u.id,u])),i=(u,c)=>u.crmId.trim()===c.crmId.trim()&&u.crmEmail.trim()===c.crmEmail.trim()&&u.mailboxId.trim()===c.mailboxId.trim()&&u.mailboxEmail.trim()===c.mailboxEmail.trim(),a=r.filter(u=>{const c=s.get(u.id.trim());return!c||!i(c,u)}),o=new Set(r.map(u=>u.id.trim())),l=n.map(u=>u.id).filter(u=>!o.has(u));return{link:a,unlink:l}}const rr=`
  fragment SyncPreviewFields on SyncPreview {
    profileId
    userId
    saved
    paused
    truncated
    totalOperations
    tookMs
    kinds {
      kind
      direction
      firstSync
      linked
      listed
      crm {
        creates
        updates
        deletes
      }
      mailbox {
        creates
        updates
        deletes
      }
      unchanged
      conflicts
      conflictList {
        crmId
        mailboxId
        title
        fields
        kept
      }
      skipped
      skips {
        decision
        reason
        count
      }
      bad {
        side
        itemId
        field
        reason
      }
      badCount
      stillQuarantined
      guard
      pendingWrites
      busy
      incomplete
      tookMs
    }
    operations {
      kind
      side
      action
      linkId
      itemId
      sourceId
      title
      start
      reason
    }
  }
`,Rs=`
  mutation PreviewSync($profile: ProfileInput!, $crm: SyncAccountInput!, $mailbox: SyncAccountInput!) {
    previewSync(profile: $profile, crm: $crm, mailbox: $mailbox) {
      ...SyncPreviewFields
    }
  }
  ${rr}
`,As=`
  mutation PreviewUserSync($profileId: ID!, $userId: ID!) {
    previewUserSync(profileId: $profileId, userId: $userId) {
      ...SyncPreviewFields
    }
  }
  ${rr}
`;function Es(n,t){return n.request(Rs,t)}function Ns(n,t){return n.request(As,t)}function ir(n){return{crmId:n.crmId.trim(),mailboxId:n.mailboxId.trim(),mailboxEmail:(n.mailboxEmail||n.crmEmail).trim()}}function Ps(n,t){const r=ir(n);return`${n.id.trim()||`User ${t+1}`} (${r.crmId||"no CRM id"} ⇄ ${r.mailboxEmail||r.mailboxId||"no mailbox"})`}function Ls(n){const t={};return n.crmId||(t.crmId="Enter the CRM account id."),!n.mailboxEmail&&!n.mailboxId?t.mailboxEmail="Enter the mailbox e-mail address.":n.mailboxEmail&&!/^[^\s@]+@[^\s@]+$/.test(n.mailboxEmail)&&(t.mailboxEmail="Enter an e-mail address like name@example.com."),t}function Ms(n){return{crm:{id:n.crmId},mailbox:{id:n.mailboxId||void 0,email:n.mailboxEmail||void 0}}}function Os(n){const t=[];for(const r of["crm","mailbox"]){const s=n[r].secrets.filter(i=>i.name.trim()&&i.value);s.length&&t.push({instance:n[r].instance.trim(),secrets:s.map(i=>({name:i.name.trim(),value:i.value}))})}return t}function Le(n,t,r=t+"s"){return`${n} ${n===1?t:r}`}function yn(n){const t=[n.creates&&`${n.creates} to create`,n.updates&&`${n.updates} to update`,n.deletes&&`${n.deletes} to delete`].filter(Boolean);return t.length?t.join(", "):"nothing"}function sr(n){const t={creates:0,updates:0,deletes:0,conflicts:0,bad:0,skipped:0};for(const r of n.kinds)t.creates+=r.crm.creates+r.mailbox.creates,t.updates+=r.crm.updates+r.mailbox.updates,t.deletes+=r.crm.deletes+r.mailbox.deletes,t.conflicts+=r.conflicts,t.bad+=r.badCount,t.skipped+=r.skipped;return t}function Ds(n){const t=sr(n),r=t.creates+t.updates+t.deletes,s=n.saved?"The next sync":"The first sync";if(r===0&&t.conflicts===0&&t.bad===0)return`${s} would change nothing.`;const i=[t.creates&&Le(t.creates,"create"),t.updates&&Le(t.updates,"update"),t.deletes&&Le(t.deletes,"delete")].filter(Boolean);let a=`${s} would make ${i.length?i.join(", "):"no write"}`;return t.conflicts&&(a+=`, record ${Le(t.conflicts,"conflict")}`),t.bad&&(a+=` and set ${Le(t.bad,"item")} aside (quarantine)`),a+"."}function Us(n,t){const r=[];n.paused&&r.push("The profile or this user is paused: scheduled syncs do not run until resumed.");for(const s of n.kinds){const i=t(s.kind);s.guard&&r.push(`${i}: the mass-change guard would hold this run for your approval — ${s.guard}.`),s.pendingWrites&&r.push(`${i}: ${Le(s.pendingWrites,"interrupted write")} will be settled first; the preview does not include them.`),s.busy&&r.push(`${i}: a sync of this user was running while the preview read its state; preview again for a settled picture.`),s.incomplete&&r.push(`${i}: ${s.incomplete}.`)}return r}const Fs={create:"Create",update:"Update",delete:"Delete"};function qs(n,t,r){return{title:n.title?.trim()||n.itemId||n.sourceId||"(untitled)",start:n.start?r(n.start):"—",where:`${n.side==="CRM"?"CRM":"Mailbox"} · ${t(n.kind)}`,action:Fs[n.action]??n.action,reason:n.reason??""}}function Bs(n){const t=n.all[0]?.extensions?.code;return typeof t=="string"&&t?t:n.code}function Ws(n){switch(Bs(n)){case"REMOTE_AUTH":return{title:"A system refused the credentials",hint:"Check the secrets on the Systems step (or sign in with the system again), and that the account may read this user’s data; then preview again."};case"REMOTE_FAILED":return{title:"A system could not be read",hint:"Check the system’s address and settings on the Systems step and that it is reachable from the appliance; then preview again."};case"PREVIEW_TOO_LARGE":return{title:"Too many items to preview",hint:"Narrow the window (days back and ahead) or preview a user with fewer items."};case"BAD_USER_INPUT":return{title:"Something in the profile is not valid yet",hint:n.field?`Correct “${n.field}” and preview again.`:"Correct the value and preview again."};case"NOT_FOUND":return{title:"The user or profile no longer exists",hint:"Reload the page to see the current state."};default:return{title:"The preview did not run",hint:n.hint}}}const qe=n=>ae[n]??n,Re="other";function ar(){const[n,t]=y(""),[r,s]=y(0),[i,a]=y(null),[o,l]=y(null);return ee(()=>{if(!n)return;s(0);const c=setInterval(()=>s(h=>h+1),1e3);return()=>clearInterval(c)},[n!==""]),{phase:n,seconds:r,result:i,error:o,run:async c=>{l(null),a(null),t("Starting…");try{a(await c(t))}catch(h){l(Y(h))}finally{t("")}}}}function Hs(n){const{api:t}=L(),r=n.draft,s=ge(),[i,a]=y(r.users.length?"0":Re),o=i!==Re&&Number(i)<r.users.length?i:Re,[l,u]=y(""),[c,h]=y(""),[b,d]=y({}),[f,p]=y(""),g=ar(),w=o!==Re&&r.users[Number(o)],v=w?ir(w):{crmId:l.trim(),mailboxId:"",mailboxEmail:c.trim()},_=Os(r),S=()=>{for(let R=0;R<3;R++)if(Object.keys(Be(r,R)).length){p(`Complete the step “${rt[R]}” first: the preview needs a valid profile.`);return}p("");const T=Ls(v);if(d(w?{}:T),Object.keys(T).length){w&&p(`That user row is incomplete: ${Object.values(T).join(" ")} Fix it on the Users step, or type the accounts.`);return}g.run(async R=>{for(const K of _)R("Storing the secrets you typed (write-only), so the systems can be reached…"),await t.setSystemSecrets({instance:K.instance,secrets:K.secrets});return R("Reading both systems and planning the sync (nothing is written)…"),(await Es(t.client,{profile:nr(r),...Ms(v)})).previewSync})};return e("section",{class:"card subpanel","aria-labelledby":`${s}-h`,children:[e("h3",{id:`${s}-h`,children:"Preview the first sync"}),e("p",{class:"hint",children:["See what the first sync of one user would do with these settings before anything is saved: it reads both systems and writes nothing.",_.length>0&&" The secrets you typed are stored first (write-only) so the systems can be reached; creating the profile stores them again."]}),e("div",{class:"form-row",children:[e("div",{class:"field",children:[e("label",{for:s,children:"User to preview"}),e("select",{id:s,value:o,onChange:T=>a(T.currentTarget.value),children:[r.users.map((T,R)=>e("option",{value:String(R),children:Ps(T,R)},R)),e("option",{value:Re,children:"Another account (type it)"})]})]}),o===Re&&e(C,{children:[e(x,{label:"CRM account id",value:l,onInput:u,error:b.crmId}),e(x,{label:"Mailbox e-mail",inputMode:"email",value:c,onInput:h,error:b.mailboxEmail})]})]}),e("div",{class:"form-actions",children:e(I,{variant:"secondary",onClick:S,busy:g.phase!=="",busyLabel:"Previewing…",children:"Preview"})}),f&&e("p",{class:"field-error",role:"alert",children:f}),e(or,{running:g})]})}function js(n){const{api:t}=L(),r=ar();return e("section",{class:"card","aria-labelledby":"preview-h",children:[e("div",{class:"card-head",children:[e("h2",{id:"preview-h",children:"Preview"}),e("div",{class:"card-actions",children:e(I,{onClick:()=>r.run(async i=>(i("Reading both systems and planning the next sync (nothing is written)…"),(await Ns(t.client,{profileId:n.profileId,userId:n.userId})).previewUserSync)),busy:r.phase!=="",busyLabel:"Previewing…",children:"Preview next sync"})})]}),e("p",{class:"hint",children:"What the next sync of this user would do, from their current state. It reads both systems and writes nothing."}),e(or,{running:r})]})}function or(n){const{phase:t,seconds:r,result:s,error:i}=n.running;return e("div",{"aria-live":"polite",children:[t&&e("p",{class:"loading",role:"status",children:[e(Ft,{})," ",t," ",r>0&&e("span",{class:"muted",children:["(",r," s)"]})]}),i&&e(Ys,{error:i}),s&&e(zs,{p:s})]})}function Ys(n){const t=Ws(n.error);return e("div",{class:"alert alert-error",role:"alert",children:[e("p",{class:"alert-title",children:t.title}),e("p",{class:"wrap",children:Q(n.error.message)}),e("p",{class:"alert-hint",children:t.hint})]})}function zs(n){const t=n.p,r=Us(t,qe),s=sr(t);return e("div",{children:[e("p",{children:[e("strong",{children:Ds(t)})," ",e("span",{class:"muted",children:["(",(t.tookMs/1e3).toFixed(1)," s)"]})]}),r.length>0&&e("div",{class:"alert alert-warning",role:"alert",children:[e("p",{class:"alert-title",children:"Before you rely on this"}),e("ul",{children:r.map(i=>e("li",{children:i},i))})]}),e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Preview counts per kind",children:e("table",{children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Kind"}),e("th",{scope:"col",children:"In the CRM"}),e("th",{scope:"col",children:"In the mailbox"}),e("th",{scope:"col",children:"Unchanged"}),e("th",{scope:"col",children:"Conflicts"}),e("th",{scope:"col",children:"Skipped"}),e("th",{scope:"col",children:"Set aside"})]})}),e("tbody",{children:t.kinds.map(i=>e("tr",{class:i.guard?"row-warn":void 0,children:[e("th",{scope:"row",children:[qe(i.kind),i.firstSync&&e("div",{class:"muted",children:"first sync"})]}),e("td",{children:yn(i.crm)}),e("td",{children:yn(i.mailbox)}),e("td",{children:i.unchanged}),e("td",{children:i.conflicts}),e("td",{children:i.skipped}),e("td",{children:i.badCount})]},i.kind))})]})}),s.skipped>0&&e("details",{children:[e("summary",{children:"Why items are skipped"}),e("ul",{children:t.kinds.flatMap(i=>i.skips.map(a=>e("li",{children:[qe(i.kind),": ",a.count," × ",Q(a.reason)]},i.kind+a.decision+a.reason)))})]}),s.bad>0&&e("details",{open:!0,children:[e("summary",{children:"Items that would be set aside (quarantine)"}),e("ul",{children:t.kinds.flatMap(i=>i.bad.map(a=>e("li",{children:[qe(i.kind),", ",a.side==="CRM"?"CRM":"mailbox"," item ",e("span",{class:"code-name inline",children:a.itemId}),a.field&&e(C,{children:[", field ",e("strong",{children:a.field})]}),": ",Q(a.reason)]},i.kind+a.side+a.itemId)))}),e("p",{class:"hint",children:"Fix these items in their system (or the settings that refuse them); the rest syncs without them."})]}),s.conflicts>0&&e("details",{children:[e("summary",{children:"Conflicts that would be recorded"}),e("ul",{children:t.kinds.flatMap(i=>i.conflictList.map(a=>e("li",{children:[a.title||a.crmId,": ",a.fields.join(", ")," changed on both sides; the ",a.kept==="CRM"?"CRM":"mailbox"," value is kept."]},i.kind+a.crmId+a.mailboxId)))})]}),t.operations.length>0&&e(C,{children:[e("h4",{children:["Operations",t.truncated?` (the first ${t.operations.length} of ${t.totalOperations})`:""]}),e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Operations the sync would make",children:e("table",{children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Item"}),e("th",{scope:"col",children:"Starts"}),e("th",{scope:"col",children:"Where"}),e("th",{scope:"col",children:"Action"}),e("th",{scope:"col",children:"Why"})]})}),e("tbody",{children:t.operations.map((i,a)=>{const o=qs(i,qe,l=>E(l));return e("tr",{children:[e("td",{class:"wrap",children:o.title}),e("td",{class:"when",children:o.start}),e("td",{children:o.where}),e("td",{children:o.action}),e("td",{class:"wrap",children:o.reason})]},a)})})]})})]})]})}const gn=[["TWO_WAY","Both ways"],["CRM_TO_MAILBOX","CRM → mailbox only"],["MAILBOX_TO_CRM","Mailbox → CRM only"],["OFF","Off"]];function Ce(n){const t=ge();return e("div",{class:`field${n.error?" field-invalid":""}`,children:[e("label",{for:t,children:n.label}),n.hint&&e("p",{class:"hint",id:`${t}-hint`,children:n.hint}),e("select",{id:t,value:n.value,onChange:r=>n.onChange(r.currentTarget.value),"aria-invalid":n.error?"true":void 0,"aria-describedby":[n.error?`${t}-err`:"",n.hint?`${t}-hint`:""].filter(Boolean).join(" ")||void 0,children:n.options.map(([r,s])=>e("option",{value:r,children:s},r))}),n.error&&e("p",{class:"field-error",id:`${t}-err`,children:n.error})]})}function bn(n){const t=ge();return e("div",{class:`field${n.error?" field-invalid":""}`,children:[e("label",{for:t,children:n.label}),n.hint&&e("p",{class:"hint",id:`${t}-hint`,children:n.hint}),e("textarea",{id:t,rows:n.rows??6,value:n.value,onInput:r=>n.onInput(r.currentTarget.value),"aria-invalid":n.error?"true":void 0,"aria-describedby":[n.error?`${t}-err`:"",n.hint?`${t}-hint`:""].filter(Boolean).join(" ")||void 0,spellcheck:!1}),n.error&&e("p",{class:"field-error",id:`${t}-err`,children:n.error})]})}function _e(n){const t=ge();return e("div",{class:"check",children:[e("input",{id:t,type:"checkbox",checked:n.checked,onChange:r=>n.onChange(r.currentTarget.checked)}),e("label",{for:t,children:n.label})]})}function Vs(n){const t=ge(),[r,s]=y("");return e("div",{class:"field",children:[e("label",{for:t,children:n.label}),e("p",{class:"hint",id:`${t}-hint`,children:"For keys and certificates (PEM): their line breaks are kept."}),e("input",{id:t,type:"file","aria-describedby":`${t}-hint ${t}-note`,onChange:async i=>{const a=i.currentTarget.files?.[0];if(a){if(a.size>64*1024){s(`${a.name} is larger than 64 KB; choose the key or certificate file itself.`);return}try{n.onLoad(await a.text()),s(`Loaded ${a.name} (${a.size} bytes).`)}catch{s(`Could not read ${a.name}; check the file and choose it again.`)}}}}),e("p",{class:"hint",id:`${t}-note`,role:"status",children:r||(n.loaded?"A multi-line value is loaded.":"")})]})}const Je={phase:"",report:null,error:null},Ae=["crm","mailbox"],ve={crm:"CRM",mailbox:"Mailboxes"};function wn(n={}){const{api:t}=L(),r=ze(()=>Jn(t),[t]),s=!!n.editId,[i,a]=y(er),[o,l]=y(null),[u,c]=y(!s),[h,b]=y(0),[d,f]=y(0),[p,g]=y({}),[w,v]=y(null),[_,S]=y([]),[T,R]=y(!1),[q,K]=y(!1),[ie,le]=y(""),[J,ce]=y([]),[be,jt]=y({crm:Je,mailbox:Je}),[Te,pt]=y({busy:!1,error:null,result:null,added:0}),[Ge,yt]=y(null),gt=re(null),z=m=>a(k=>({...k,...m})),we=(m,k)=>{a($=>({...$,[m]:{...$[m],...k}})),jt($=>({...$,[m]:Je}))},hr=Intl.DateTimeFormat().resolvedOptions().timeZone;ee(()=>{if(!n.editId)return;let m=!0;return l(null),(async()=>{try{const $=(await r.editProfile({id:n.editId})).syncProfile;if(!$)throw new Z("NOT_FOUND",`There is no profile “${n.editId}”; it may have been deleted.`);const D=P=>Pe[P]?.secrets??[],[A,M]=await Promise.all([D($.crm.type).length?r.secretsSet({instance:$.crm.instance,names:D($.crm.type)}):{systemSecretsSet:[]},D($.mailbox.type).length?r.secretsSet({instance:$.mailbox.instance,names:D($.mailbox.type)}):{systemSecretsSet:[]}]);if(!m)return;a(Ss($,{crm:A.systemSecretsSet,mailbox:M.systemSecretsSet})),c(!0)}catch(k){m&&l(Y(k))}})(),()=>{m=!1}},[n.editId,h]),ee(()=>{(gt.current?.querySelector('[aria-invalid="true"]')??gt.current?.querySelector("h2"))?.focus()},[d,p]);const mr=()=>{const m=Be(i,d);g(m),Object.keys(m).length===0&&f(d+1)},Yt=m=>{for(let k=0;k<m;k++){const $=Be(i,k);if(Object.keys($).length){g($),f(k);return}}g({}),f(m)},Ke=async m=>{const k=kt(i[m]);k.length&&await t.setSystemSecrets({instance:i[m].instance.trim(),secrets:k})},zt=async m=>{const k=Object.fromEntries(Object.entries(Be(i,1)).filter(([D])=>D.startsWith(m+".")));if(Object.keys(k).length)return g(k),!1;Object.keys(p).some(D=>D.startsWith(m+"."))&&g(D=>Object.fromEntries(Object.entries(D).filter(([A])=>!A.startsWith(m+"."))));const $=D=>jt(A=>({...A,[m]:D}));$({phase:"secrets",report:null,error:null});try{await Ke(m),$({phase:"testing",report:null,error:null});const D=await r.testSystem({system:it(i[m]),profileId:s?i.id:void 0});return $({phase:"",report:D.testSystem,error:null}),D.testSystem.ok}catch(D){const A=Y(D),M=A.field??"";if(A.code==="BAD_USER_INPUT"&&M.startsWith("system.")){const P=M.slice(7),B=P==="instance"||P==="type"?`${m}.${P}`:`${m}.settings`;return g(X=>({...X,[B]:Q(A.message.startsWith(M+":")?A.message.slice(M.length+1).trim():A.message)})),$(Je),!1}return $({phase:"",report:null,error:A}),!1}},Vt=()=>Promise.all(Ae.map(m=>zt(m)));ee(()=>{d===4&&u&&Ae.some(m=>!be[m].report&&!be[m].phase&&!be[m].error)&&Vt()},[d]);const fr=async()=>{pt({busy:!0,error:null,result:null,added:0});try{await Ke("crm"),await Ke("mailbox");const m=await r.suggestLinks({crm:it(i.crm),mailbox:it(i.mailbox),profileId:s?i.id:void 0}),k=xs(i.users,m.suggestLinks.pairs);z({users:k.users}),pt({busy:!1,error:null,result:m.suggestLinks,added:k.added})}catch(m){pt({busy:!1,error:Y(m),result:null,added:0})}},Gt=async m=>{for(let P=0;P<4;P++){const B=Be(i,P);if(Object.keys(B).length){g(B),f(P);return}}const k=i.saved?Ts(i.saved.users,i.users):{link:i.users.filter(P=>!P.skip),unlink:[]};if(k.unlink.length&&!m){yt(k.unlink);return}const $=ws({...i,users:k.link}),D=[{label:"Storing the secrets (write-only)",state:"waiting"},{label:"Saving the profile",state:"waiting"},...$.map(P=>({label:`Linking ${P.id}`,state:"waiting"})),...k.unlink.map(P=>({label:`Unlinking ${P}`,state:"waiting"}))];S(D),R(!0),v(null);const A=(P,B)=>{D[P]={...D[P],state:B},S([...D])};let M=0;try{A(0,"running");for(const P of Ae)await Ke(P);A(0,"done"),M=1,A(1,"running"),await t.saveProfile({input:nr(i)}),A(1,"done");for(let P=0;P<$.length;P++)M=2+P,A(M,"running"),await t.linkUser({input:$[P]}),A(M,"done");for(let P=0;P<k.unlink.length;P++)M=2+$.length+P,A(M,"running"),await r.unlinkUser({profileId:i.id.trim(),userId:k.unlink[P]}),A(M,"done");K(!0)}catch(P){A(M,"failed");const B=Y(P);if(B.code==="BAD_USER_INPUT"&&B.field&&M<2+$.length){const X=M>=2?i.users.findIndex(yr=>yr.id.trim()===$[M-2].id):-1,me=Is(B.field,M>=2?X:void 0);if(me.key){g({[me.key]:Q(B.field&&B.message.startsWith(B.field+":")?B.message.slice(B.field.length+1):B.message)}),f(me.step),R(!1);return}}v(B)}R(!1)},Kt=e("p",{class:"breadcrumb",children:[e(O,{href:"/profiles",children:"Profiles"})," ",e("span",{"aria-hidden":"true",children:"›"})," ",s?`Edit ${n.editId}`:"New profile"]});if(s&&!u)return e(C,{children:[Kt,e(H,{title:"Edit sync profile"}),o?e(oe,{error:o,what:"the profile",onRetry:()=>b(m=>m+1)}):e(j,{label:"Loading the profile…"})]});if(q){const m=encodeURIComponent(i.id.trim()),k=i.users.filter($=>!$.skip).length;return e(C,{children:[e(H,{title:s?"Profile saved":"Profile created"}),e(U,{kind:"success",children:s?`“${i.name}” is saved; the scheduler follows the changes at once.`:`“${i.name}” is saved and active${k?` and ${k} users are linked; their first sync is scheduled now`:""}.`}),e("p",{children:[e(O,{href:`/profiles/${m}`,children:"Open the profile"})," to sign in to its systems where they need it ·"," ",e(O,{href:`/profiles/${m}/checks`,children:"Run the checks"})," · ",e(O,{href:"/users",children:"Watch the users sync"})]})]})}const pr=m=>{const k=be[m];return e("div",{class:"system-test",children:[e(I,{onClick:()=>zt(m),busy:!!k.phase,busyLabel:k.phase==="secrets"?"Storing the secrets…":"Testing the connection…",disabled:T,children:"Test connection"}),e("div",{class:"system-test-result",role:"status","aria-live":"polite",children:[k.phase&&e(j,{label:k.phase==="secrets"?`${ve[m]}: storing the secrets…`:`${ve[m]}: testing the connection…`}),k.report&&e(lt,{title:ve[m],report:k.report})]}),e(N,{error:k.error,title:"The test did not run"})]})},Qt=m=>{const k=i[m],$=Object.entries(Pe).filter(([,A])=>A.side===m),D=Pe[k.type]?.secrets??[];return e("fieldset",{class:"wizard-system",children:[e("legend",{children:ve[m]}),e(Ce,{label:"System",value:k.type,options:$.map(([A,M])=>[A,M.label]),onChange:A=>we(m,{...Pt(A,k.instance),instance:k.instance}),error:p[`${m}.type`]}),e(x,{label:"Connection name",value:k.instance,onInput:A=>we(m,{instance:A}),hint:"Profiles that name the same connection share its sign-in and its rate limits.",error:p[`${m}.instance`],required:!0}),e(bn,{label:"Settings (JSON)",value:k.settings,onInput:A=>we(m,{settings:A}),hint:k.secretFields?.length?`Secret settings set: ${k.secretFields.join(", ")} (not shown); leave them out to keep them.`:"Start from the template; docs/connectors names every setting.",error:p[`${m}.settings`],rows:7}),e("p",{class:"hint",children:["Secrets are write-only: they are stored encrypted and never shown again.",D.length?` This system uses: ${D.join(", ")}.`:""]}),k.secrets.map((A,M)=>{const P=Zn(k,A.name);return e("div",{class:"secret-edit",children:[e(x,{label:`Secret ${M+1} name`,value:A.name,onInput:B=>we(m,{secrets:k.secrets.map((X,me)=>me===M?{...X,name:B}:X)}),error:p[`${m}.secrets.${M}`]}),e(x,{label:`Secret ${M+1} value`,type:"password",autoComplete:"new-password",value:A.value,hint:P?"Set — leave empty to keep it.":void 0,onInput:B=>we(m,{secrets:k.secrets.map((X,me)=>me===M?{...X,value:B}:X)})}),e(Vs,{label:`Secret ${M+1} from a file`,loaded:A.value.includes(`
`),onLoad:B=>we(m,{secrets:k.secrets.map((X,me)=>me===M?{...X,value:B}:X)})}),e(I,{variant:"ghost",onClick:()=>we(m,{secrets:k.secrets.filter((B,X)=>X!==M)}),children:["Remove secret ",M+1]})]},M)}),e(I,{onClick:()=>we(m,{secrets:[...k.secrets,{name:D.find(A=>!k.secrets.some(M=>M.name===A))??"",value:""}]}),children:"Add a secret"}),pr(m)]})},De=(m,k)=>z({users:i.users.map(($,D)=>D===m?{...$,...k}:$)}),te=Te.result;return e(C,{children:[Kt,e(H,{title:s?`Edit “${i.name||n.editId}”`:"New sync profile",intro:s?"Change what you need; nothing is saved until you save on the last step.":"Five short steps; nothing is saved until you create the profile on the last one."}),e("ol",{class:"steps","aria-label":"Steps",children:rt.map((m,k)=>e("li",{class:k===d?"current":k<d?"done":void 0,children:e("button",{type:"button",class:"step-link","aria-current":k===d?"step":void 0,onClick:()=>Yt(k),disabled:T,children:[e("span",{class:"step-n",children:k+1})," ",m]})},m))}),e("section",{class:"card",ref:gt,"aria-labelledby":"step-h",children:[e("h2",{id:"step-h",tabIndex:-1,children:[d+1,". ",rt[d]]}),d===0&&e(C,{children:[e(x,{label:"Profile id",value:i.id,onInput:m=>z({id:m}),hint:s?"The id of a saved profile cannot change.":"Letters, digits and . _ @ + -; used in addresses and logs.",error:p.id,required:!0,disabled:s}),e(x,{label:"Name",value:i.name,onInput:m=>z({name:m}),hint:"For example “Sales team”.",error:p.name,required:!0}),e("p",{class:"hint",children:["Time zone check: this browser is in ",e("strong",{children:hr}),". Times are synced as instants with their zone, so people in other zones see them correctly; set the CRM's zone in its settings on the next step."]})]}),d===1&&e("div",{class:"wizard-systems",children:[Qt("crm"),Qt("mailbox")]}),d===2&&e(C,{children:[e("fieldset",{children:[e("legend",{children:"Kinds and directions"}),p.directions&&e("p",{class:"field-error",children:p.directions}),e("div",{class:"form-row",children:Object.keys(i.directions).map(m=>e(Ce,{label:ae[m]??m,value:i.directions[m],options:gn,onChange:k=>z({directions:{...i.directions,[m]:k}})},m))})]}),e("fieldset",{children:[e("legend",{children:"Window and polling"}),e("div",{class:"form-row",children:[e(x,{label:"Days back",inputMode:"numeric",value:i.daysBack,onInput:m=>z({daysBack:m}),error:p.daysBack}),e(x,{label:"Days ahead",inputMode:"numeric",value:i.daysAhead,onInput:m=>z({daysAhead:m}),error:p.daysAhead}),e(x,{label:"Poll every (seconds)",inputMode:"numeric",value:i.pollSeconds,onInput:m=>z({pollSeconds:m}),error:p.pollSeconds})]})]}),e("fieldset",{children:[e("legend",{children:"Filters"}),e(_e,{label:"Leave out private items",checked:i.skipPrivate,onChange:m=>z({skipPrivate:m})}),e(_e,{label:"Leave out all-day items",checked:i.skipAllDay,onChange:m=>z({skipAllDay:m})}),e(_e,{label:"Leave out items shown as free",checked:i.skipFree,onChange:m=>z({skipFree:m})}),e(_e,{label:"Leave out recurring series",checked:i.skipRecurring,onChange:m=>z({skipRecurring:m})})]}),e("fieldset",{children:[e("legend",{children:"Conflicts and deletes"}),e("div",{class:"form-row",children:[e(Ce,{label:"When both sides changed a field",value:i.policy,options:[["NEWEST","The newest change wins"],["CRM_WINS","The CRM wins"],["MAILBOX_WINS","The mailbox wins"]],onChange:m=>z({policy:m}),error:p.policy}),e(Ce,{label:"When one side deleted what the other changed",value:i.onDelete,options:[["UPDATE_WINS","Keep the item (recreate it)"],["DELETE_WINS","Delete it on both sides"]],onChange:m=>z({onDelete:m}),error:p.onDelete})]})]}),e("fieldset",{children:[e("legend",{children:"Mass-change guard"}),e("p",{class:"hint",children:"A run that would delete or create more than both limits waits for your approval."}),e("div",{class:"form-row",children:[e(x,{label:"Deletes: more than (items)",inputMode:"numeric",value:i.guardDeletes,onInput:m=>z({guardDeletes:m}),error:p["guard.deletes.count"]}),e(x,{label:"Deletes: and more than (%)",inputMode:"numeric",value:i.guardDeletesPercent,onInput:m=>z({guardDeletesPercent:m}),error:p["guard.deletes.percent"]}),e(x,{label:"Creates: more than (items)",inputMode:"numeric",value:i.guardCreates,onInput:m=>z({guardCreates:m}),error:p["guard.creates.count"]}),e(x,{label:"Creates: and more than (%)",inputMode:"numeric",value:i.guardCreatesPercent,onInput:m=>z({guardCreatesPercent:m}),error:p["guard.creates.percent"]})]})]}),e(Hs,{draft:i})]}),d===3&&e(C,{children:[e("p",{class:"hint",children:"Link each CRM account to its mailbox. You can also link users later from the Users area."}),e("div",{class:"match-users",children:[e(I,{variant:"primary",onClick:fr,busy:Te.busy,busyLabel:"Matching users…",disabled:T,children:"Match users by e-mail"}),e("p",{class:"hint",children:"Lists both systems' users and pairs them by e-mail address, then by aliases; review the rows, untick or edit them."}),e("div",{role:"status","aria-live":"polite",children:te&&e("p",{children:[te.pairs.length," pairs found, ",Te.added," added to the table",te.pairs.length>Te.added?` (${te.pairs.length-Te.added} were already in it)`:"","."]})}),te?.message&&e(U,{kind:"warning",children:te.message}),e(N,{error:Te.error,title:"The users could not be matched"}),te&&te.unmatchedCrm.length>0&&e("div",{class:"alert alert-warning",children:[e("p",{class:"alert-title",children:te.complete?`${te.unmatchedCrm.length} CRM users have no mailbox with their address`:`${te.unmatchedCrm.length} CRM users, not matched`}),e("p",{children:te.complete?"Add them by hand with their mailbox address (or import a CSV), or give the mailbox an alias with the CRM address and match again. An address two accounts share is not used.":"The other system could not be listed (see above): add them by hand or import a CSV, or fix the connection and match again."}),e("ul",{children:te.unmatchedCrm.map(m=>e("li",{children:[m.name||m.id," ",e("span",{class:"muted",children:m.email||"no e-mail address"})]},m.id))})]})]}),i.users.map((m,k)=>e("fieldset",{class:`user-row${m.skip?" user-skipped":""}`,children:[e("legend",{children:["User ",k+1,m.match?` (matched by ${m.match})`:""]}),e(_e,{label:`Link user ${k+1}`,checked:!m.skip,onChange:$=>De(k,{skip:!$})}),e("div",{class:"form-row",children:[e(x,{label:"User id",value:m.id,onInput:$=>De(k,{id:$}),error:p[`users.${k}.id`]}),e(x,{label:"CRM account id",value:m.crmId,onInput:$=>De(k,{crmId:$}),error:p[`users.${k}.crm.id`]}),e(x,{label:"CRM e-mail",inputMode:"email",value:m.crmEmail,onInput:$=>De(k,{crmEmail:$,mailboxEmail:m.mailboxEmail||$}),error:p[`users.${k}.crm.email`]}),e(x,{label:"Mailbox e-mail",inputMode:"email",value:m.mailboxEmail,onInput:$=>De(k,{mailboxEmail:$}),error:p[`users.${k}.mailbox.email`]})]}),e(I,{variant:"ghost",onClick:()=>z({users:i.users.filter(($,D)=>D!==k)}),children:["Remove user ",k+1]})]},k)),e("p",{children:e(I,{onClick:()=>z({users:[...i.users,{id:"",crmId:"",crmEmail:"",mailboxId:"",mailboxEmail:""}]}),children:"Add a user"})}),e(bn,{label:"Import users from CSV",value:ie,onInput:le,hint:e(C,{children:["One user a line: ",e("code",{children:He})," (the header row is optional; the mailbox e-mail defaults to the CRM e-mail)."]}),rows:4}),e("div",{class:"form-actions",children:[e(I,{onClick:()=>{const m=_s(ie);for(const k of m.users)!k.mailboxEmail&&!k.mailboxId&&(k.mailboxEmail=k.crmEmail);ce(m.errors),m.users.length&&(z({users:[...i.users,...m.users]}),le(""))},children:"Import"}),i.users.length>0&&e("a",{class:"btn btn-secondary",download:`${i.id||"profile"}-users.csv`,href:`data:text/csv;charset=utf-8,${encodeURIComponent(ks(i.users.filter(m=>!m.skip)))}`,children:"Export as CSV"})]}),J.length>0&&e("div",{class:"alert alert-warning",role:"alert",children:[e("p",{class:"alert-title",children:"Some lines were not imported"}),e("ul",{children:J.map(m=>e("li",{children:m},m))})]})]}),d===4&&e(C,{children:[e("dl",{class:"facts",children:[e("dt",{children:"Profile"}),e("dd",{children:[i.name," ",e("span",{class:"code-name inline",children:i.id})]}),e("dt",{children:"CRM"}),e("dd",{children:[Pe[i.crm.type]?.label??i.crm.type," (",i.crm.instance,"), ",kt(i.crm).length," secrets to store"]}),e("dt",{children:"Mailboxes"}),e("dd",{children:[Pe[i.mailbox.type]?.label??i.mailbox.type," (",i.mailbox.instance,"), ",kt(i.mailbox).length," secrets to store"]}),e("dt",{children:"Syncs"}),e("dd",{children:Object.keys(i.directions).filter(m=>i.directions[m]!=="OFF").map(m=>`${ae[m]??m}: ${gn.find(([k])=>k===i.directions[m])?.[1]}`).join(", ")}),e("dt",{children:"Window"}),e("dd",{children:[i.daysBack," days back, ",i.daysAhead," days ahead; polling every ",i.pollSeconds," s"]}),e("dt",{children:"Users"}),e("dd",{children:i.users.filter(m=>!m.skip).length?i.users.filter(m=>!m.skip).map(m=>m.id).join(", "):"none yet (link them later)"})]}),e("section",{class:"review-checks","aria-labelledby":"review-checks-h",children:[e("h3",{id:"review-checks-h",children:"Checks of both systems"}),e("div",{class:"wizard-systems",children:Ae.map(m=>{const k=be[m];return e("div",{role:"status","aria-live":"polite",children:[k.phase&&e(j,{label:`${ve[m]}: ${k.phase==="secrets"?"storing the secrets…":"running the checks…"}`}),k.report&&e(lt,{title:ve[m],report:k.report}),k.error&&e(N,{error:k.error,title:`${ve[m]}: the checks did not run`}),!k.phase&&!k.report&&!k.error&&p[`${m}.settings`]&&e("p",{class:"field-error",children:[ve[m],": ",p[`${m}.settings`]," (go back to step 2)"]})]},m)})}),e(I,{onClick:Vt,busy:Ae.some(m=>!!be[m].phase),busyLabel:"Running the checks…",disabled:T,children:"Run the checks again"}),Ae.some(m=>be[m].report&&!be[m].report.ok)&&e("p",{class:"hint",children:"A failed check does not stop you from saving, but the sync will not work until it is fixed."})]}),_.length>0&&e("ol",{class:"progress-list","aria-label":"Progress",children:_.map(m=>e("li",{class:`progress-${m.state}`,children:[m.label,": ",m.state==="waiting"?"waiting":m.state==="running"?"in progress…":m.state==="done"?"done":"failed"]},m.label))}),e(N,{error:w,title:s?"The profile was not saved":"The profile was not created"})]}),e("div",{class:"form-actions wizard-nav",children:[d>0&&e(I,{onClick:()=>Yt(d-1),disabled:T,children:"Back"}),d<4?e(I,{variant:"primary",onClick:mr,children:["Next: ",rt[d+1]]}):e(I,{variant:"primary",onClick:()=>Gt(!1),busy:T,busyLabel:s?"Saving…":"Creating…",children:s?"Save changes":"Create and activate"}),e(I,{variant:"ghost",onClick:()=>pe(s?`/profiles/${encodeURIComponent(i.id)}`:"/profiles"),disabled:T,children:"Cancel"})]})]}),e(Oe,{open:!!Ge,title:`Unlink ${Ge?.length??0} user${Ge?.length===1?"":"s"}?`,confirmLabel:"Save and unlink",busyLabel:"Saving…",onClose:()=>yt(null),onConfirm:async()=>{yt(null),await Gt(!0)},children:[e("p",{children:"Saving stops syncing these users and forgets their sync state; the items already in their CRM and mailbox stay as they are:"}),e("ul",{children:(Ge??[]).map(m=>e("li",{children:m},m))})]})]})}function Ve(){const{api:n}=L();return ze(()=>new fs(n),[n])}const Gs=1e4,Ks=[["15","Last 15 minutes"],["30","Last 30 minutes"],["60","Last hour"]],Ee=600,de=140,fe=44,Se=22;function Qs(n){const t=Ve(),[r,s]=y(""),[i,a]=y("60"),[o,l]=y(!0),u=G(()=>t.governorHistory({scope:r||null,minutes:Number(i)}),[r,i]);ee(()=>{if(!o)return;const v=setInterval(u.reload,Gs);return()=>clearInterval(v)},[o,r,i]);const c=ge(),h=ge(),b=u.data?.governorHistory,d=b?Math.max(1,Math.round(60/b.stepSeconds)):6,f=b?ps(b.samples,d):[],p=gs(f,Ee-fe,de-Se),g=bs(f,Number(i)),w=[["","All remote calls"],...n.scopes.map(v=>[v,v])];return r&&!n.scopes.includes(r)&&w.push([r,r]),e("section",{class:"card","aria-labelledby":"hist-h",children:[e("div",{class:"card-head",children:[e("h2",{id:"hist-h",children:"Requests and throttling over time"}),e("div",{class:"card-actions",children:e(I,{onClick:u.reload,busy:u.loading&&!!u.data,busyLabel:"Refreshing…",children:"Refresh chart"})})]}),e("div",{class:"chart-controls",children:[e(Ce,{label:"Calls of",value:r,options:w,onChange:s}),e(Ce,{label:"Period",value:i,options:Ks,onChange:a}),e(_e,{label:"Update every 10 seconds",checked:o,onChange:l})]}),u.loading&&!u.data&&e(j,{label:"Loading the governor's history…"}),e(N,{error:u.error,title:"Could not load the governor's history",onRetry:u.reload}),b&&e(C,{children:[e("p",{id:h,class:"chart-summary",children:g}),e("svg",{class:"chart",viewBox:`0 0 ${Ee} ${de}`,role:"img","aria-labelledby":`${c} ${h}`,children:[e("title",{id:c,children:["Calls admitted per minute (bars) and throttling answers (red, marked with a triangle)",r?` for ${r}`:""]}),e("g",{transform:`translate(${fe} 0)`,children:[e("line",{class:"chart-axis",x1:0,y1:de-Se,x2:Ee-fe,y2:de-Se}),e("line",{class:"chart-grid",x1:0,y1:0,x2:Ee-fe,y2:0}),e("line",{class:"chart-grid",x1:0,y1:(de-Se)/2,x2:Ee-fe,y2:(de-Se)/2}),p.admitted.map((v,_)=>e("rect",{class:"chart-bar",x:v.x,y:v.y,width:v.w,height:v.h},`a${_}`)),p.throttled.map((v,_)=>v.h>0?e("rect",{class:"chart-throttled",x:v.x,y:v.y,width:v.w,height:Math.max(v.h,2)},`t${_}`):null),p.marks.map((v,_)=>e("path",{class:"chart-mark",d:`M ${v-4} 2 L ${v+4} 2 L ${v} 9 Z`},`m${_}`))]}),e("text",{class:"chart-label",x:fe-6,y:10,"text-anchor":"end",children:p.max}),e("text",{class:"chart-label",x:fe-6,y:(de-Se)/2+4,"text-anchor":"end",children:p.max/2}),e("text",{class:"chart-label",x:fe-6,y:de-Se,"text-anchor":"end",children:"0"}),e("text",{class:"chart-label",x:fe,y:de-6,children:f.length>0?E(f[0].from):""}),e("text",{class:"chart-label",x:Ee,y:de-6,"text-anchor":"end",children:"now"})]}),e("p",{class:"chart-legend muted",children:[e("span",{class:"legend-swatch legend-calls","aria-hidden":"true"})," calls admitted per minute"," ",e("span",{class:"legend-swatch legend-throttled","aria-hidden":"true"})," throttling answers (429, 503, Retry-After), also marked ▼ above the bar"]}),e("details",{children:[e("summary",{children:"Show the numbers as a table"}),e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Governor history per minute",children:e("table",{children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Minute from"}),e("th",{scope:"col",children:"Calls admitted"}),e("th",{scope:"col",children:"Throttling answers"}),e("th",{scope:"col",children:"Time waited"}),e("th",{scope:"col",children:"Most in flight"})]})}),e("tbody",{children:f.map(v=>e("tr",{class:v.throttled>0?"row-warn":void 0,children:[e("td",{class:"when",children:E(v.from)}),e("td",{children:v.admitted}),e("td",{children:v.throttled}),e("td",{children:v.waitedMs>0?Xn(v.waitedMs):"—"}),e("td",{children:v.maxInFlight})]},v.from))})]})})]})]})]})}const Js={AUTOCERT:"Certificates from Let’s Encrypt (ACME) for the configured domains",OWN:"Your own certificate (--tls-cert / --tls-key)",SELF_SIGNED:"A self-signed certificate (--self-signed)",PLAIN:"Plain HTTP, no TLS"};function Xs(){const n=Ve(),t=G(()=>n.tlsStatus()),r=t.data?.tlsStatus;return e("section",{class:"card","aria-labelledby":"tls-h",children:[e("div",{class:"card-head",children:[e("h2",{id:"tls-h",children:"TLS and domain"}),e("div",{class:"card-actions",children:e(I,{onClick:t.reload,busy:t.loading&&!!t.data,busyLabel:"Checking…",children:"Check again"})})]}),t.loading&&!t.data&&e(j,{label:"Loading the TLS status…"}),e(N,{error:t.error,title:"Could not load the TLS status",onRetry:t.reload}),r&&e(C,{children:[r.problems.length===0?e(U,{kind:"success",children:"Nothing needs attention."}):r.problems.map((s,i)=>e("div",{class:`alert ${s.severity==="error"?"alert-error":"alert-warning"}`,role:s.severity==="error"?"alert":"status",children:[e("p",{class:"alert-title",children:s.message}),e("p",{children:["What to do: ",s.action]})]},i)),e("dl",{class:"facts",children:[e("dt",{children:"Mode"}),e("dd",{children:Js[r.mode]??r.mode}),e("dt",{children:"Public address"}),e("dd",{class:"wrap",children:r.publicUrl||"—"}),r.domains.length>0&&e(C,{children:[e("dt",{children:"Domains"}),e("dd",{children:r.domains.join(", ")})]}),e("dt",{children:"HTTP → HTTPS redirect"}),e("dd",{children:r.httpRedirect?"on (port 80 redirects to HTTPS)":"off"}),r.renewalError&&e(C,{children:[e("dt",{children:"Last certificate error"}),e("dd",{class:"wrap text-warn",children:[r.renewalError," ",e("span",{class:"muted",children:["(",E(r.renewalErrorAt),")"]})]})]})]}),r.certificates.map(s=>e("div",{class:"cert",children:[e("h3",{children:s.domain?`Certificate for ${s.domain}`:"Certificate"}),e("dl",{class:"facts",children:[e("dt",{children:"Subject"}),e("dd",{class:"wrap",children:s.subject}),e("dt",{children:"Issuer"}),e("dd",{class:"wrap",children:s.issuer}),e("dt",{children:"Names"}),e("dd",{class:"wrap",children:s.dnsNames.join(", ")}),e("dt",{children:"Valid"}),e("dd",{class:s.daysLeft<14?"text-warn":void 0,children:[E(s.notBefore)," to ",E(s.notAfter)," (",s.daysLeft<0?"expired":`${s.daysLeft} days left`,")"]})]})]},s.domain+s.notAfter))]})]})}function Zs(){const n=Ve(),[t,r]=y(!0),[s,i]=y(!1),[a,o]=y(null),[l,u]=y("");return e("section",{class:"card","aria-labelledby":"backup-h",children:[e("h2",{id:"backup-h",children:"Backup"}),e("p",{children:["Downloads a full, consistent backup of the store (accounts, settings, certificates, sync state) while the appliance keeps running — the same file as ",e("code",{children:"synchronizer backup"}),". Restore it with ",e("code",{children:"synchronizer restore FILE --data DIR"})," into an empty directory."]}),e(_e,{label:"Encrypt the backup with this appliance’s key (restoring then needs that key)",checked:t,onChange:r}),l&&e(U,{kind:"success",children:l}),e(N,{error:a,title:"The backup could not be started"}),e(I,{busy:s,busyLabel:"Preparing the download…",onClick:async()=>{i(!0),o(null),u("");try{const h=await n.createBackupLink({encrypted:t});window.location.assign(h.createBackupLink.url),u(t?"The download has started. The file is encrypted with this appliance’s key: keep the key (synchronizer.key) to restore it.":"The download has started. The file holds the data unencrypted: store it as carefully as the key.")}catch(h){o(Y(h))}finally{i(!1)}},children:"Download a backup"})]})}function ea(){const n=Ve(),r=(G(()=>n.reinvitations({profileId:null})).data?.reinvitations??[]).filter(s=>!s.sent);return r.length===0?null:e("div",{class:"alert alert-warning",role:"status",children:[e("p",{class:"alert-title",children:r.length===1?"A user must sign in with Microsoft again":`${r.length} users must sign in with Microsoft again`}),e("ul",{children:r.map(s=>e("li",{children:[e(O,{href:Bt(s.profileId,s.userId),children:s.userId})," (",s.profileId,"): ",Q(s.reason)," ",e("span",{class:"muted",children:["(",E(s.at),")"]})]},s.profileId+"/"+s.userId))}),e("p",{children:["Their grant was revoked or expired. Save working e-mail settings under ",e(O,{href:"/settings",children:"Settings"}),", then send the invitation from the user’s page."]})]})}function ta(n){const t=Ve(),s=G(()=>t.reinvitations({profileId:n.profileId}),[n.profileId]).data?.reinvitations.find(i=>i.userId===n.userId);return s?e(U,{kind:s.sent?"info":"warning",children:[e("p",{class:"alert-title",children:["Microsoft refused this user’s sign-in ",E(s.at)]}),e("p",{class:"wrap",children:[Q(s.reason),s.adminsNotified>0?` ${s.adminsNotified} ${s.adminsNotified===1?"admin was":"admins were"} told by e-mail.`:""," Automatic re-invitations go out at most once a day."]})]}):null}const ae={APPOINTMENT:"Appointments",TASK:"Tasks",CONTACT:"Contacts",GROUP:"Groups"},na={TWO_WAY:"both ways",CRM_TO_MAILBOX:"CRM → mailbox",MAILBOX_TO_CRM:"mailbox → CRM",OFF:"off"},lr={NEWEST:"newest change wins",CRM_WINS:"CRM wins",MAILBOX_WINS:"mailbox wins"};function ra(n){return e("p",{class:"muted",children:n.children})}function oe(n){const t=n.error;return t?t.code==="UNAVAILABLE"?e(ue,{title:"The sync engine is not running on this server",children:[e("p",{children:Q(t.message)}),e("p",{class:"muted",children:t.hint}),e(I,{onClick:n.onRetry,children:"Check again"})]}):e(N,{error:t,title:`Could not load ${n.what}`,onRetry:n.onRetry}):null}function ft(){const[n,t]=y(""),[r,s]=y(null),[i,a]=y("");return{busy:n,error:r,done:i,run:async(l,u,c,h)=>{t(l),s(null),a("");try{await u(),a(c),h?.()}catch(b){s(Y(b))}finally{t("")}}}}function _t(n,t){return n.filter(r=>r.action.toLowerCase()===t).length}function Wt(n){const t=n.status;return t?t.breaker!=="closed"?{text:`Stopped after errors (${t.breaker})${t.breakerReason?": "+t.breakerReason:""}`,warn:!0}:t.paused?{text:"Paused",warn:!1}:t.running?{text:"Syncing now",warn:!1}:t.lastError?{text:`Last run failed: ${t.lastError}`,warn:!0}:t.queued?{text:"Queued",warn:!1}:t.lastOk?{text:"In sync",warn:!1,at:t.lastOk}:{text:"Waiting for the first sync",warn:!1}:{text:"Not scheduled yet",warn:!1}}const ia={superoffice:"Sign in with SuperOffice",msgraph:"Sign in with Microsoft"};function sa(n){const t=new URLSearchParams(n),r=t.get("signin");return r==="ok"?{ok:!0,reason:""}:r==="error"?{ok:!1,reason:t.get("reason")??""}:null}function vn(n={}){const{api:t}=L(),r=G(()=>t.syncProfiles()),s=ft(),i=r.data?.syncProfiles??[],a=n.only?i.filter(c=>c.id===n.only):i,o=sa(n.search??""),l=(c,h)=>s.run(`signin:${c}:${h}`,async()=>{const b=await t.beginSignIn({profileId:c,side:h});window.location.assign(b.beginSystemSignIn.url)},"Opening the sign-in page…"),u=new Map((r.data?.schedulerStatus.profiles??[]).map(c=>[c.profileId,c]));return e(C,{children:[e(H,{title:"Profiles",intro:"A profile connects a CRM with a mailbox system and says what to sync, which way, and over which date window.",actions:e(C,{children:[e(O,{class:"btn btn-primary",href:"/profiles/new",children:"New profile"}),e(I,{onClick:r.reload,busy:r.loading&&!!r.data,busyLabel:"Refreshing…",children:"Refresh"})]})}),n.only&&e("p",{class:"breadcrumb",children:e(O,{href:"/profiles",children:"All profiles"})}),o?.ok&&e(U,{kind:"success",children:"Signed in: the connection is stored (encrypted, never shown) and used from the next run."}),o&&!o.ok&&e("div",{class:"alert alert-error",role:"alert",children:[e("p",{class:"alert-title",children:"The sign-in did not complete"}),e("p",{children:o.reason?Q(o.reason):"The provider did not say why."}),e("p",{class:"alert-hint",children:"Check the application's client id and secret in the profile's settings, then sign in again; a sign-in link is valid for 10 minutes."})]}),r.loading&&!r.data&&e(j,{label:"Loading profiles…"}),e(oe,{error:r.error,what:"the profiles",onRetry:r.reload}),r.data&&n.only&&a.length===0&&e(ue,{title:"No such profile",children:e("p",{children:["There is no profile “",n.only,"”; it may have been deleted. ",e(O,{href:"/profiles",children:"See all profiles"}),"."]})}),e(N,{error:s.error,title:"The command did not run"}),s.done&&e(U,{kind:"success",children:s.done}),r.data&&i.length===0&&e(ue,{title:"No sync profiles yet",children:[e("p",{children:"Nothing is being synchronized. A profile names the CRM and the mailbox system and what to sync between them."}),e("p",{children:e(O,{class:"btn btn-primary",href:"/profiles/new",children:"Create a profile"})})]}),a.map(c=>{const h=u.get(c.id);return e("section",{class:"card","aria-labelledby":`prof-${c.id}`,children:[e("div",{class:"card-head",children:[e("h2",{id:`prof-${c.id}`,children:[c.name," ",e("span",{class:"code-name inline",children:c.id}),h?.paused&&e("span",{class:"badge badge-muted",children:"paused"})]}),e("div",{class:"card-actions",children:[e(I,{variant:"primary",busy:s.busy===`now:${c.id}`,busyLabel:"Queuing…",onClick:()=>s.run(`now:${c.id}`,()=>t.syncNow({profileId:c.id}),`Every user of “${c.name}” is queued to sync now.`,r.reload),children:"Sync now"}),h?.paused?e(I,{busy:s.busy===`resume:${c.id}`,busyLabel:"Resuming…",onClick:()=>s.run(`resume:${c.id}`,()=>t.resumeSync({profileId:c.id}),`“${c.name}” syncs again.`,r.reload),children:"Resume"}):e(I,{busy:s.busy===`pause:${c.id}`,busyLabel:"Pausing…",onClick:()=>s.run(`pause:${c.id}`,()=>t.pauseSync({profileId:c.id}),`“${c.name}” is paused; changes wait until you resume.`,r.reload),children:"Pause"}),["CRM","MAILBOX"].map(b=>{const d=b==="CRM"?c.crm:c.mailbox,f=ia[d.type];return f&&e(I,{busy:s.busy===`signin:${c.id}:${b}`,busyLabel:"Opening sign-in…","aria-label":`${f} (${d.instance}) for ${c.name}`,onClick:()=>l(c.id,b),children:f},b)}),e(O,{class:"btn btn-secondary",href:`/profiles/${encodeURIComponent(c.id)}/edit`,"aria-label":`Edit ${c.name}`,children:"Edit"}),e(O,{class:"btn btn-secondary",href:`/profiles/${encodeURIComponent(c.id)}/checks`,"aria-label":`Checks of ${c.name}`,children:"Checks"})]})]}),e("dl",{class:"facts",children:[e("dt",{children:"CRM"}),e("dd",{children:[c.crm.type," ",e("span",{class:"muted",children:["(",c.crm.instance,")"]})]}),e("dt",{children:"Mailboxes"}),e("dd",{children:[c.mailbox.type," ",e("span",{class:"muted",children:["(",c.mailbox.instance,")"]})]}),e("dt",{children:"Syncs"}),e("dd",{children:c.directions.filter(b=>b.direction!=="OFF").map(b=>`${ae[b.kind]??b.kind} ${na[b.direction]??b.direction}`).join(", ")||"nothing (every kind is off)"}),e("dt",{children:"Window"}),e("dd",{children:[c.daysBack," days back, ",c.daysAhead," days ahead"]}),e("dt",{children:"Conflicts"}),e("dd",{children:lr[c.policy]??c.policy}),e("dt",{children:"Polling"}),e("dd",{children:["every ",c.pollSeconds," s"]}),e("dt",{children:"Users"}),e("dd",{children:[c.users.length," linked",h?`, ${h.running} syncing, ${h.queued} queued`:""]})]})]},c.id)})]})}function aa(n){const[t,r]=y({state:"connecting",detail:""}),s=re(n);return s.current=n,ee(()=>{if(typeof WebSocket>"u"){r({state:"offline",detail:"this browser has no websockets"});return}let i=null,a=0;const o=cs({query:hi,onData:l=>{if(!l.syncStatus.event)return;const u=Math.max(0,a+1e3-Date.now());i===null&&(i=window.setTimeout(()=>{i=null,a=Date.now(),s.current()},u))},onState:(l,u)=>r({state:l,detail:u??""})});return()=>{o(),i!==null&&window.clearTimeout(i)}},[]),t}function oa(n){return e("p",{class:`live live-${n.state}`,role:"status",children:[e("span",{class:"live-dot","aria-hidden":"true"}),n.state==="live"?"Live: this list updates as users sync.":n.state==="connecting"?"Connecting for live updates…":`Live updates are unavailable${n.detail?` (${n.detail})`:""}; retrying in the background. Use Refresh to see the latest state.`]})}function la(n,t,r){const s=t.trim().toLowerCase();if(s&&![n.id,n.crm.name,n.crm.email,n.mailbox.email,n.mailbox.name].some(a=>(a??"").toLowerCase().includes(s)))return!1;const i=n.status;switch(r){case"problems":return!!i&&(!!i.lastError||i.breaker!=="closed"||i.failures>0);case"paused":return!!i?.paused;case"syncing":return!!i&&(i.running||i.queued)}return!0}function ca(n){const t=n==null?"":String(n);return/[",\n\r]/.test(t)?`"${t.replace(/"/g,'""')}"`:t}function da(n){const t=[["profile","user","name","crmEmail","mailboxEmail","state","lastRun","nextRun","lastError"]];for(const r of n)for(const s of r.users)t.push([r.id,s.id,s.crm.name,s.crm.email,s.mailbox.email,Wt(s).text,s.status?.lastRun??"",s.status?.nextRun??"",s.status?.lastError??""]);return t.map(r=>r.map(ca).join(",")).join(`
`)+`
`}function ua(){const{api:n}=L(),t=G(()=>n.syncProfiles()),r=aa(t.reload),s=ft(),i=t.data?.syncProfiles??[],a=i.reduce((d,f)=>d+f.users.length,0),[o,l]=y(""),[u,c]=y("all"),h=i.map(d=>({...d,users:d.users.filter(f=>la(f,o,u))})),b=h.reduce((d,f)=>d+f.users.length,0);return e(C,{children:[e(H,{title:"Users",intro:"Each linked user pairs a CRM account with a mailbox. Their state shows when they last synced and what went wrong.",actions:e(I,{onClick:t.reload,busy:t.loading&&!!t.data,busyLabel:"Refreshing…",children:"Refresh"})}),e(oa,{state:r.state,detail:r.detail}),t.loading&&!t.data&&e(j,{label:"Loading users…"}),e(oe,{error:t.error,what:"the users",onRetry:t.reload}),t.data&&e(ea,{}),e(N,{error:s.error,title:"The command did not run"}),s.done&&e(U,{kind:"success",children:s.done}),t.data&&a===0&&e(ue,{title:"No linked users yet",children:[e("p",{children:i.length===0?"There is no sync profile yet, so nobody can be linked.":"No CRM account is linked to a mailbox yet."}),e(ra,{children:["Link users in the last steps of ",e(O,{href:"/profiles/new",children:"a new profile"}),", or with the ",e("code",{children:"linkUser"})," mutation of the GraphQL API."]})]}),a>0&&e("div",{class:"grid-tools",role:"search","aria-label":"Filter users",children:[e("div",{class:"field",children:[e("label",{for:"user-search",children:"Search"}),e("input",{id:"user-search",type:"search",value:o,onInput:d=>l(d.currentTarget.value),placeholder:"Name or e-mail"})]}),e("div",{class:"field",children:[e("label",{for:"user-filter",children:"Show"}),e("select",{id:"user-filter",value:u,onChange:d=>c(d.currentTarget.value),children:[e("option",{value:"all",children:"All users"}),e("option",{value:"problems",children:"Users with problems"}),e("option",{value:"paused",children:"Paused users"}),e("option",{value:"syncing",children:"Syncing or queued"})]})]}),e("a",{class:"btn btn-secondary",download:"synchronizer-users.csv",href:`data:text/csv;charset=utf-8,${encodeURIComponent(da(h))}`,children:"Export as CSV"}),e("p",{class:"muted",role:"status",children:b===a?`${a} users`:`${b} of ${a} users`})]}),h.filter(d=>d.users.length>0).map(d=>e("section",{class:"card","aria-labelledby":`users-${d.id}`,children:[e("h2",{id:`users-${d.id}`,children:d.name}),e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":`Users of ${d.name}`,children:e("table",{children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"User"}),e("th",{scope:"col",children:"CRM ⇄ mailbox"}),e("th",{scope:"col",children:"State"}),e("th",{scope:"col",children:"Next run"}),e("th",{scope:"col",children:e("span",{class:"sr-only",children:"Actions"})})]})}),e("tbody",{children:d.users.map(f=>{const p=Wt(f),g=`${d.id}/${f.id}`;return e("tr",{class:p.warn?"row-warn":void 0,children:[e("td",{children:e(O,{href:Bt(d.id,f.id),children:f.crm.name||f.id})}),e("td",{children:[f.crm.email||"—",e("br",{}),e("span",{class:"muted",children:["⇄ ",f.mailbox.email||"—"]})]}),e("td",{children:[p.text,p.at&&e(C,{children:[e("br",{}),e("span",{class:"muted",children:["as of ",E(p.at)]})]})]}),e("td",{class:"when",children:E(f.status?.nextRun)}),e("td",{class:"actions",children:[e(I,{variant:"ghost",busy:s.busy===`now:${g}`,busyLabel:"Queuing…","aria-label":`Sync now for ${f.crm.name||f.id}`,onClick:()=>s.run(`now:${g}`,()=>n.syncNow({profileId:d.id,userId:f.id}),`${f.crm.name||f.id} is queued to sync now.`,t.reload),children:"Sync now"}),f.status?.paused?e(I,{variant:"ghost",busy:s.busy===`resume:${g}`,busyLabel:"Resuming…","aria-label":`Resume ${f.crm.name||f.id}`,onClick:()=>s.run(`resume:${g}`,()=>n.resumeSync({profileId:d.id,userId:f.id}),`${f.crm.name||f.id} syncs again.`,t.reload),children:"Resume"}):e(I,{variant:"ghost",busy:s.busy===`pause:${g}`,busyLabel:"Pausing…","aria-label":`Pause ${f.crm.name||f.id}`,onClick:()=>s.run(`pause:${g}`,()=>n.pauseSync({profileId:d.id,userId:f.id}),`${f.crm.name||f.id} is paused.`,t.reload),children:"Pause"})]})]},f.id)})})]})})]},d.id))]})}function It(n){if(!n)return null;try{const t=JSON.parse(n);return t&&typeof t=="object"&&!Array.isArray(t)?t:null}catch{return null}}function ha(n){return n==null||n===""?"(empty)":typeof n=="string"?n:typeof n=="number"||typeof n=="boolean"?String(n):JSON.stringify(n,null,1)}function ma(n){const t=n.c,r=[{label:"At the last sync",v:It(t.base),raw:t.base},{label:"In the CRM",v:It(t.crm),raw:t.crm},{label:"In the mailbox",v:It(t.mailbox),raw:t.mailbox}];return e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":`Values of the conflict ${t.id}`,children:e("table",{class:"compare",children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Field"}),r.map(s=>e("th",{scope:"col",children:s.label},s.label))]})}),e("tbody",{children:t.fields.map(s=>e("tr",{children:[e("th",{scope:"row",children:s}),r.map((i,a)=>{const o=a===1&&t.decision==="CRM"||a===2&&t.decision==="MAILBOX";return e("td",{class:`wrap${o?" kept":""}`,children:[i.v?ha(i.v[s]):i.raw?i.raw:"—",o&&e("span",{class:"badge",children:"kept"})]},i.label)})]},s))})]})})}function fa(){const{api:n}=L(),t=G(()=>n.syncConflicts({openOnly:!0})),[r,s]=y(null),[i,a]=y(""),o=t.data?.syncConflicts??[];return e(C,{children:[e(H,{title:"Conflicts",intro:"A conflict is a field changed differently on both sides since the last sync. The profile's policy already chose a side; here you can confirm it or choose the other.",actions:e(I,{onClick:t.reload,busy:t.loading&&!!t.data,busyLabel:"Refreshing…",children:"Refresh"})}),t.loading&&!t.data&&e(j,{label:"Loading conflicts…"}),e(oe,{error:t.error,what:"the conflicts",onRetry:t.reload}),i&&e(U,{kind:"success",children:i}),t.data&&o.length===0&&e(ue,{title:"No open conflicts",children:e("p",{children:"Every change so far could be merged field by field, or there has been no sync yet."})}),o.map(l=>e("section",{class:"card","aria-labelledby":`conf-${l.id}`,children:[e("div",{class:"card-head",children:[e("h2",{id:`conf-${l.id}`,children:[ae[l.kind]??l.kind," of ",e(O,{href:Bt(l.profileId,l.userId),children:l.userId})," ",e("span",{class:"code-name inline",children:l.profileId})]}),e("div",{class:"card-actions",children:[e(I,{onClick:()=>s({c:l,side:l.decision==="CRM"?"CRM":"MAILBOX"}),children:"Accept the policy"}),e(I,{onClick:()=>s({c:l,side:"CRM"}),children:"Keep the CRM's values"}),e(I,{onClick:()=>s({c:l,side:"MAILBOX"}),children:"Keep the mailbox's values"})]})]}),e(ma,{c:l}),e("dl",{class:"facts",children:[e("dt",{children:"Found"}),e("dd",{children:E(l.at)}),e("dt",{children:"Items"}),e("dd",{children:["CRM ",e("span",{class:"code-name inline",children:l.crmItemId}),", mailbox ",e("span",{class:"code-name inline",children:l.mailboxItemId})]}),e("dt",{children:"Policy kept"}),e("dd",{children:[l.decision==="CRM"?"the CRM":"the mailbox"," (",lr[l.policy]??l.policy,"); the other side already has these values"]})]})]},l.id)),e(Oe,{open:r!==null,title:r?.side==="CRM"?"Keep the CRM's values?":"Keep the mailbox's values?",confirmLabel:"Resolve conflict",busyLabel:"Resolving…",onClose:()=>s(null),onConfirm:async()=>{r&&(await n.resolveConflict({id:r.c.id,choice:r.side}),a(`Conflict resolved: both copies now have the ${r.side==="CRM"?"CRM's":"mailbox's"} values of ${r.c.fields.join(", ")}.`),t.reload())},children:e("p",{children:["Both copies get the ",r?.side==="CRM"?"CRM's":"mailbox's"," values of ",r?.c.fields.join(", "),". The change is journaled and can be undone from the run it creates."]})})]})}function pa(){const{api:n}=L(),t=G(()=>n.pendingApprovals()),[r,s]=y(null),[i,a]=y(""),o=t.data?.pendingApprovals??[];return e(C,{children:[e(H,{title:"Approvals",intro:"A run that would delete or create more items than its profile allows stops here. Nothing was written; it waits for you.",actions:e(I,{onClick:t.reload,busy:t.loading&&!!t.data,busyLabel:"Refreshing…",children:"Refresh"})}),t.loading&&!t.data&&e(j,{label:"Loading approvals…"}),e(oe,{error:t.error,what:"the approvals",onRetry:t.reload}),i&&e(U,{kind:"success",children:i}),t.data&&o.length===0&&e(ue,{title:"Nothing waits for approval",children:e("p",{children:"No run has gone over its mass-change limits."})}),o.map(l=>e("section",{class:"card","aria-labelledby":`run-${l.id}`,children:[e("div",{class:"card-head",children:[e("h2",{id:`run-${l.id}`,children:[ae[l.kind]??l.kind," of ",l.userId," ",e("span",{class:"code-name inline",children:l.profileId})]}),e("div",{class:"card-actions",children:[e(I,{variant:"primary",onClick:()=>s({run:l,approve:!0}),children:"Approve…"}),e(I,{onClick:()=>s({run:l,approve:!1}),children:"Reject…"})]})]}),e("p",{children:["Stopped ",E(l.start)," by the limit ",e("strong",{children:l.guard||"mass-change guard"}),": it would create ",_t(l.planned,"create"),", update"," ",_t(l.planned,"update")," and delete ",_t(l.planned,"delete")," of ",l.counts.listed," items."]}),l.planned.length>0&&e("details",{children:[e("summary",{children:["Show the ",l.planned.length," planned changes"]}),e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":`Planned changes of run ${l.id}`,children:e("table",{children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Action"}),e("th",{scope:"col",children:"Side"}),e("th",{scope:"col",children:"Item"}),e("th",{scope:"col",children:"Why"})]})}),e("tbody",{children:l.planned.map((u,c)=>e("tr",{children:[e("td",{children:u.action}),e("td",{children:u.side==="CRM"?"CRM":"mailbox"}),e("td",{children:u.title||u.linkId}),e("td",{children:u.reason||"—"})]},c))})]})})]})]},l.id)),e(Oe,{open:r!==null,title:r?.approve?"Approve this run?":"Reject this run?",confirmLabel:r?.approve?"Approve and run":"Reject",busyLabel:r?.approve?"Approving…":"Rejecting…",onClose:()=>s(null),onConfirm:async()=>{r&&(r.approve?(await n.approveRun({id:r.run.id}),a("Approved: the run starts again now and applies the changes you saw. New deletes or creates would stop it again.")):(await n.rejectRun({id:r.run.id}),a("Rejected: nothing was written. The next run plans again from the current state.")),t.reload())},children:r?.approve?e("p",{children:["The run starts again at once and may create ",r.run.counts.created," and delete ",r.run.counts.deleted," items. Every change is journaled and the run can be undone."]}):e("p",{children:"Nothing is written. The next scheduled run plans again, and stops again if it still goes over the limits."})})]})}function ya(n){const t=n.s;return t.requests===0?e(C,{children:"unlimited"}):e(C,{children:[t.budgetLeft," of ",t.requests," per ",t.perSeconds," s"]})}function ga(){const{api:n}=L(),t=G(()=>n.governor()),r=t.data?.schedulerStatus,s=t.data?.governorStatus??[];return e(C,{children:[e(H,{title:"Governor",intro:"Every call to a remote system passes the governor: it keeps within each system's concurrency and request limits and backs off when asked.",actions:e(I,{onClick:t.reload,busy:t.loading&&!!t.data,busyLabel:"Refreshing…",children:"Refresh"})}),t.loading&&!t.data&&e(j,{label:"Loading the governor's state…"}),e(oe,{error:t.error,what:"the governor's state",onRetry:t.reload}),r&&e("section",{class:"card","aria-labelledby":"sched-h",children:[e("h2",{id:"sched-h",children:"Scheduler"}),e("dl",{class:"facts",children:[e("dt",{children:"State"}),e("dd",{children:r.stopping?"stopping":r.started?"running":"not started"}),e("dt",{children:"Workers"}),e("dd",{children:r.workers}),e("dt",{children:"Queued jobs"}),e("dd",{children:r.queueDepth}),e("dt",{children:"Running jobs"}),e("dd",{children:r.running.length===0?"none":r.running.map(i=>`${i.profileId}/${i.userId} ${ae[i.kind]??i.kind} (${i.trigger})`).join(", ")}),e("dt",{children:"Housekeeping"}),e("dd",{children:r.housekeeping.hour<0?"off":`daily at ${r.housekeeping.hour}:00, next ${E(r.housekeeping.nextRun)}`}),e("dt",{children:"Snapshot"}),e("dd",{children:E(r.at)})]}),r.systems.some(i=>i.state!=="closed")&&e("div",{class:"alert alert-warning",role:"status",children:[e("p",{class:"alert-title",children:"Paused after errors"}),e("ul",{children:r.systems.filter(i=>i.state!=="closed").map(i=>e("li",{children:[i.system,": ",i.state," after ",i.failures," failures",i.until?`, retried ${E(i.until)}`:""]},i.system))})]})]}),t.data&&e("section",{class:"card","aria-labelledby":"gov-h",children:[e("h2",{id:"gov-h",children:"Limits per system"}),s.length===0?e("p",{children:"No remote system has been called yet, so there are no limits in use."}):e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Limits per system",children:e("table",{children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Scope"}),e("th",{scope:"col",children:"In flight"}),e("th",{scope:"col",children:"Waiting"}),e("th",{scope:"col",children:"Request budget"}),e("th",{scope:"col",children:"Avg. latency"}),e("th",{scope:"col",children:"Throttled"}),e("th",{scope:"col",children:"State"})]})}),e("tbody",{children:s.map(i=>e("tr",{class:i.backingOffUntil||i.slowedDown?"row-warn":void 0,children:[e("td",{children:[i.system," ",i.kind," ",e("span",{class:"code-name",children:i.key})]}),e("td",{children:[i.inFlight," / ",i.maxInFlight===0?"∞":i.effectiveInFlight]}),e("td",{children:i.waiting}),e("td",{children:e(ya,{s:i})}),e("td",{children:[Math.round(i.avgLatencyMs)," ms"]}),e("td",{children:[i.recentThrottles," recent, ",i.throttled," total"]}),e("td",{children:i.backingOffUntil?`backing off until ${E(i.backingOffUntil)}`:i.slowedDown?"slowed down (high latency)":"normal"})]},i.scope))})]})})]}),t.data&&e(Qs,{scopes:s.map(i=>i.scope)})]})}const ba={OK:"OK",WARNING:"Warning",FAILED:"Failed"};function Lt(n){return n.results.length===0?e("p",{class:"hint",children:n.empty??"No checks."}):e("ul",{class:"check-list","aria-label":n.label,children:n.results.map((t,r)=>e("li",{class:`check-item check-${t.status.toLowerCase()}`,children:[e("span",{class:"check-status",children:ba[t.status]??t.status})," ",e("span",{class:"check-name",children:t.name}),t.detail&&e("span",{class:"check-detail",children:[": ",t.detail]}),t.fix&&t.status!=="OK"&&e("p",{class:"check-fix",children:["What to do: ",t.fix]})]},`${t.name}-${r}`))})}function wa(n){const t=n.results.filter(s=>s.status==="FAILED").length,r=n.results.filter(s=>s.status==="WARNING").length;return n.timedOut?"Did not finish in time":n.ok?r?`Works, with ${r} warning${r>1?"s":""}`:"All checks passed":`${t} of ${n.results.length} checks failed`}function lt(n){const t=n.report;return e("div",{class:`check-report ${t.ok?"check-report-ok":"check-report-failed"}`,children:[e("p",{class:"check-summary",children:[e("strong",{children:[n.title,":"]})," ",wa(t)," ",e("span",{class:"muted",children:["(",(t.durationMs/1e3).toFixed(1)," s)"]})]}),t.message&&e("p",{class:"hint",children:t.message}),e(Lt,{results:t.results,label:`Checks of ${n.title}`,empty:"This system ran no checks."})]})}function kn(n){const{api:t}=L(),r=G(()=>t.syncProfiles()),s=r.data?.syncProfiles??[],i=n.profileId??(s.length===1?s[0].id:""),[a,o]=y(null),[l,u]=y(null),[c,h]=y(!1),b=async g=>{h(!0),u(null);try{const w=await Jn(t).profileChecks({profileId:g});o(w.profileChecks)}catch(w){u(Y(w))}finally{h(!1)}};ee(()=>{i&&b(i)},[i]);const d=s.find(g=>g.id===i),f=d?`Checks: ${d.name}`:"Checks",p=a&&a.profileId===i?a:null;return e(C,{children:[n.profileId&&e("p",{class:"breadcrumb",children:[e(O,{href:"/profiles",children:"Profiles"})," ",e("span",{"aria-hidden":"true",children:"›"})," ",e(O,{href:`/profiles/${encodeURIComponent(n.profileId)}`,children:d?.name??n.profileId})," ",e("span",{"aria-hidden":"true",children:"›"})," Checks"]}),e(H,{title:f,intro:"Every preflight check of the profile's two systems and of each linked user's accounts. A failed check says what to do.",actions:i&&e(I,{variant:"primary",onClick:()=>b(i),busy:c,busyLabel:"Running the checks…",children:"Run the checks again"})}),r.loading&&!r.data&&e(j,{label:"Loading profiles…"}),e(oe,{error:r.error,what:"the profiles",onRetry:r.reload}),!n.profileId&&s.length>1&&e("nav",{class:"card","aria-label":"Profiles to check",children:[e("p",{children:"Choose the profile to check:"}),e("ul",{children:s.map(g=>e("li",{children:e(O,{href:`/profiles/${encodeURIComponent(g.id)}/checks`,children:[g.name," ",e("span",{class:"code-name inline",children:g.id})]})},g.id))})]}),r.data&&s.length===0&&e(ue,{title:"Nothing to check yet",children:[e("p",{children:"Checks run against a profile's systems. Create a profile first."}),e("p",{children:e(I,{variant:"primary",onClick:()=>pe("/profiles/new"),children:"Create a profile"})})]}),c&&e(j,{label:"Running every check; this takes a few seconds…"}),e(N,{error:l,title:"The checks did not run",onRetry:i?()=>b(i):void 0}),p&&e(C,{children:[e("p",{class:`check-overall ${p.ok?"check-report-ok":"check-report-failed"}`,role:"status",children:[p.ok?"No check failed.":"Some checks failed: see what to do below."," Checked at ",E(p.checkedAt),"."]}),p.message&&e("p",{class:"hint",children:p.message}),e("div",{class:"wizard-systems",children:[e("section",{class:"card","aria-labelledby":"chk-crm",children:[e("h2",{id:"chk-crm",children:["CRM ",e("span",{class:"muted",children:["(",p.crm.instance,")"]})]}),e(lt,{title:"CRM",report:p.crm})]}),e("section",{class:"card","aria-labelledby":"chk-mbx",children:[e("h2",{id:"chk-mbx",children:["Mailboxes ",e("span",{class:"muted",children:["(",p.mailbox.instance,")"]})]}),e(lt,{title:"Mailboxes",report:p.mailbox})]})]}),e("section",{class:"card","aria-labelledby":"chk-users",children:[e("h2",{id:"chk-users",children:"Linked users"}),p.users.length===0&&e("p",{children:"No users are linked to this profile."}),p.users.map(g=>e("div",{class:`check-user ${g.ok?"check-report-ok":"check-report-failed"}`,children:[e("h3",{children:[g.crm.name||g.userId," ",e("span",{class:"code-name inline",children:g.userId})," ",e("span",{class:"check-status",children:g.ok?"OK":"Failed"})]}),e(Lt,{results:g.crmResults,label:`CRM checks of ${g.userId}`,empty:"The CRM runs no checks per user."}),e(Lt,{results:g.mailboxResults,label:`Mailbox checks of ${g.userId}`,empty:"The mailbox system runs no checks per user."})]},g.userId))]})]})]})}const _n=/(401|unauthori[sz]ed|invalid_grant|consent|refresh token|sign in|signed in|expired token|AADSTS)/i;function va(n){const t=n.status,r=n.mailboxSignIn?"Select “Authorize my mailbox” and sign in with Microsoft again.":"Ask your administrator to check the connection to your mailbox.";if(n.mailboxSignIn&&!n.mailboxAuthorized)return{tone:"warn",title:"Your mailbox is not authorized yet",next:"Select “Authorize my mailbox” and sign in with your Microsoft account. Syncing starts right after."};if(!t)return{tone:"ok",title:"Waiting for the first sync",next:"Nothing to do: the first sync starts within a few minutes."};if(t.paused)return{tone:"warn",title:"Paused by your administrator",next:"Changes wait until your administrator resumes the sync; nothing is lost."};const s=t.breakerReason||t.lastError||"";if(t.breaker!=="closed")return{tone:"error",title:`Sync stopped after ${t.failures} failed attempts`,next:_n.test(s)?r:"It retries by itself later. If the problem stays, tell your administrator what the error below says."};if(t.lastError)return{tone:"warn",title:"The last sync failed",next:_n.test(t.lastError)?r:"It retries at the next run. Select “Sync now” to try at once; if it keeps failing, tell your administrator."};if(n.quarantine.length>0){const i=n.quarantine.length;return{tone:"warn",title:`${i} item${i===1?"":"s"} cannot be synced`,next:"Change the item named below where it says (for example shorten a too long text); the next sync reads it again."}}return t.running?{tone:"ok",title:"Syncing now",next:""}:t.queued?{tone:"ok",title:"Queued to sync",next:""}:t.lastOk?{tone:"ok",title:"In sync",next:""}:{tone:"ok",title:"Waiting for the first sync",next:"Nothing to do: the first sync starts within a few minutes."}}const St="Locked by your administrator for this profile.";function ka(n){const t=n.overrides,r={};for(const s of t.directions)r[s.kind]=s.direction;return{directions:r,filters:t.filters?{...t.filters}:null,daysBack:t.daysBack==null?"":String(t.daysBack),daysAhead:t.daysAhead==null?"":String(t.daysAhead)}}function In(n,t,r){const s=t.trim();return s===""?null:!/^\d+$/.test(s)||Number(s)>3650?(r[n]="Enter a whole number of days from 0 to 3650, or leave it empty for the profile’s setting.",null):Number(s)}function _a(n,t){const r={},s={};if(n.userMay.directions){const i=Object.entries(t.directions).filter(([,a])=>a!=="").map(([a,o])=>({kind:a,direction:o}));i.length>0&&(s.directions=i)}if(n.userMay.filters&&t.filters&&(s.filters={...t.filters}),n.userMay.window){const i=In("daysBack",t.daysBack,r),a=In("daysAhead",t.daysAhead,r);i!==null&&(s.daysBack=i),a!==null&&(s.daysAhead=a)}return{input:s,errors:r}}function Ia(n){const t=new URLSearchParams(n).get("signin");switch(t){case null:case"":return"";case"not_linked":return"Your CRM user is not linked to a mailbox here. Ask your administrator to link you, then sign in again.";case"admin_account":return"Your address belongs to an administrator account: sign in with your e-mail address and password instead.";case"other_browser":case"unknown_state":return"The sign-in expired or was started in another browser. Start it again from this page.";case"access_denied":return"The sign-in was cancelled at SuperOffice. Start it again when you are ready.";case"unknown_provider":return"That sign-in option is no longer available. Choose another one, or ask your administrator.";default:return`Signing in with SuperOffice did not work (${t}). Try again; if it keeps failing, ask your administrator.`}}function Sa(n){const t=new URLSearchParams(n),r=t.get("signin");if(r==="ok")return{ok:!0,text:"Your mailbox is authorized. Your first sync starts within a few minutes."};if(r!=="error")return null;const s=t.get("reason")??"";return s==="wrong_account"?{ok:!1,text:"You signed in with a different Microsoft account than the mailbox linked to you, so nothing was saved. Select “Authorize my mailbox” again and choose your own mailbox’s account."}:s==="access_denied"||s==="consent_required"?{ok:!1,text:"The authorization was cancelled or refused at Microsoft. Select “Authorize my mailbox” to try again; if your organisation must approve the app first, ask your administrator."}:{ok:!1,text:`Authorizing your mailbox did not work (${s||"unknown reason"}). Select “Authorize my mailbox” to try again; if it keeps failing, ask your administrator.`}}function ct(n){return e("div",{class:"auth-layout",children:e("main",{id:"main",class:"auth-card",children:[e("p",{class:"brand","aria-hidden":"true",children:[e("span",{class:"brand-mark"})," Synchronizer"]}),n.children]})})}const Ca={FORBIDDEN:"Copy the setup link from the server log again (each start of the server prints a new token) and open it, or paste its token above.",SETUP_DONE:"Setup was completed already. Sign in with the administrator account instead."},$a={UNAUTHENTICATED:"Check the e-mail address and the password (it is case-sensitive), then try again.",FORBIDDEN:"This account cannot sign in. Ask another administrator to check it."},xa={NOT_FOUND:"Ask the admin who invited you for a new invitation link.",FORBIDDEN:"Ask the admin who invited you for a new invitation link."};function cr(n){const t=n.error?0:[...n.value].length;return e(C,{children:["At least ",Me," characters. A few unrelated words make a strong, memorable password.",t>0&&t<Me&&e("span",{class:"counter",children:[" ",Me-t," more to go."]})]})}function Ta(){const{api:n,signedIn:t}=L(),r=new URLSearchParams(window.location.search).get("token")??"",[s,i]=y(r),[a,o]=y(""),[l,u]=y(""),[c,h]=y(""),[b,d]=y(""),[f,p]=y({}),[g,w]=y(null),[v,_]=y(!1),S=re(null);return e(ct,{children:[e(H,{title:"Set up Synchronizer",intro:"Create the first administrator account. You will use it to connect your systems and invite other admins."}),e("form",{ref:S,onSubmit:async R=>{R.preventDefault();const q={};s.trim()||(q.token="Enter the setup token from the server log.");const K=mt(a);K&&(q.email=K),l.trim()||(q.name="Enter your name.");const ie=ht(c);if(ie?q.password=ie:b!==c&&(q.confirm="The two passwords differ. Type the same password twice."),p(q),w(null),Object.keys(q).length>0){se(S.current);return}_(!0);try{const le=await n.setup({input:{token:s.trim(),email:a.trim(),name:l.trim(),password:c}});t(le.setup.account)}catch(le){const{fields:J,general:ce}=he(le,["token","email","name","password"]);p(J),w(ce),_(!1),se(S.current)}},noValidate:!0,"aria-describedby":"setup-errors",children:[e("div",{id:"setup-errors",children:e(N,{error:g,title:"Setup did not complete",hints:Ca})}),r?e(U,{kind:"success",children:"The one-time setup token from your setup link has been filled in."}):e(x,{label:"Setup token",name:"token",value:s,onInput:i,required:!0,autoComplete:"off",error:f.token,hint:e(C,{children:["The server prints a one-time link when it starts for the first time, such as"," ",e("code",{children:"http://127.0.0.1:8080/setup?token=…"}),". Open that link, or paste the part after"," ",e("code",{children:"token="})," here. Restarting the server prints a new one."]})}),r&&f.token&&e("p",{class:"field-error",children:f.token}),e(x,{label:"Your name",name:"name",value:l,onInput:u,required:!0,autoComplete:"name",error:f.name}),e(x,{label:"E-mail address",name:"email",type:"email",inputMode:"email",value:a,onInput:o,required:!0,autoComplete:"username",error:f.email,hint:"You sign in with this address."}),e(x,{label:"Password",name:"password",type:"password",value:c,onInput:h,required:!0,autoComplete:"new-password",error:f.password,hint:e(cr,{value:c,error:f.password})}),e(x,{label:"Repeat the password",name:"confirm",type:"password",value:b,onInput:d,required:!0,autoComplete:"new-password",error:f.confirm}),e(I,{type:"submit",variant:"primary",busy:v,busyLabel:"Creating your account…",class:"btn-block",children:"Create administrator"})]})]})}function Ra(){const{api:n,signedIn:t}=L(),[r,s]=y(""),[i,a]=y(""),[o,l]=y({}),[u,c]=y(null),[h,b]=y(!1),d=re(null),p=new URLSearchParams(window.location.search).get("reason"),g=Ia(window.location.search),w=G(()=>n.signInProviders().catch(()=>({signInProviders:[]})),[]),v=async _=>{_.preventDefault();const S={},T=mt(r);if(T&&(S.email=T),i||(S.password="Enter your password."),l(S),c(null),Object.keys(S).length>0){se(d.current);return}b(!0);try{const R=await n.login({email:r.trim(),password:i});t(R.login.account)}catch(R){const{fields:q,general:K}=he(R,["email","password"]);l(q),c(K),b(!1),se(d.current)}};return e(ct,{children:[e(H,{title:"Sign in",intro:"Sign in to manage Synchronizer, or to see how your own sync is doing."}),g&&e("div",{class:"alert alert-error",role:"alert",children:[e("p",{class:"alert-title",children:"You are not signed in"}),e("p",{children:g})]}),(w.data?.signInProviders.length??0)>0&&e("section",{"aria-labelledby":"sso-h",class:"sso",children:[e("h2",{id:"sso-h",class:"sr-only",children:"Sign in with your CRM account"}),w.data?.signInProviders.map(_=>e("a",{class:"btn btn-secondary btn-block",href:_.startUrl,children:["Sign in with ",_.name]},_.id)),e("p",{class:"aside",children:"Or, with a password:"})]}),!u&&p==="expired"&&e(U,{kind:"info",children:"Your session has ended. Sign in again to continue where you were."}),!u&&p==="signed-out"&&e(U,{kind:"success",children:"You have signed out."}),e("form",{ref:d,onSubmit:v,noValidate:!0,children:[e(N,{error:u,title:"Sign-in failed",hints:$a}),e(x,{label:"E-mail address",name:"email",type:"email",inputMode:"email",value:r,onInput:s,required:!0,autoComplete:"username",error:o.email}),e(x,{label:"Password",name:"password",type:"password",value:i,onInput:a,required:!0,autoComplete:"current-password",error:o.password}),e(I,{type:"submit",variant:"primary",busy:h,busyLabel:"Signing in…",class:"btn-block",children:"Sign in"})]}),e("p",{class:"aside",children:"Forgot your password? Ask another administrator: they can remove your account and invite you again."})]})}function Aa(){const{api:n,signedIn:t,viewer:r}=L(),s=new URLSearchParams(window.location.search).get("token")??"",[i,a]=y(""),[o,l]=y(""),[u,c]=y(""),[h,b]=y({}),[d,f]=y(null),[p,g]=y(!1),w=re(null);if(!s)return e(ct,{children:[e(H,{title:"Accept an invitation"}),e("div",{class:"alert alert-error",role:"alert",children:[e("p",{class:"alert-title",children:"This invitation link is incomplete"}),e("p",{children:"The link has no token. Open the full link from the invitation, or ask the admin who invited you for a new one."})]})]});const v=async _=>{_.preventDefault();const S={},T=ht(o);if(T?S.password=T:u!==o&&(S.confirm="The two passwords differ. Type the same password twice."),b(S),f(null),Object.keys(S).length>0){se(w.current);return}g(!0);try{const R=await n.acceptInvitation({token:s,name:i.trim()||null,password:o});t(R.acceptInvitation.account)}catch(R){const{fields:q,general:K}=he(R,["name","password"]);b(q),f(K),g(!1),se(w.current)}};return e(ct,{children:[e(H,{title:"Accept your invitation",intro:"Choose a password to create your administrator account."}),r&&e(U,{kind:"warning",children:["You are signed in as ",r.email,". Accepting this invitation signs you in as the invited account instead."]}),e("form",{ref:w,onSubmit:v,noValidate:!0,children:[e(N,{error:d,title:"The invitation could not be accepted",hints:xa}),e(x,{label:"Your name",name:"name",value:i,onInput:a,autoComplete:"name",error:h.name,hint:"Leave empty to keep the name the inviting admin entered."}),e(x,{label:"Password",name:"password",type:"password",value:o,onInput:l,required:!0,autoComplete:"new-password",error:h.password,hint:e(cr,{value:o,error:h.password})}),e(x,{label:"Repeat the password",name:"confirm",type:"password",value:u,onInput:c,required:!0,autoComplete:"new-password",error:h.confirm}),e(I,{type:"submit",variant:"primary",busy:p,busyLabel:"Creating your account…",class:"btn-block",children:"Create my account"})]})]})}const Sn={TWO_WAY:"Both ways",CRM_TO_MAILBOX:"CRM → mailbox only",MAILBOX_TO_CRM:"Mailbox → CRM only",OFF:"Off"},Ea=[["skipPrivate","Skip private items"],["skipAllDay","Skip all-day events"],["skipFree","Skip events shown as free"],["skipRecurring","Skip recurring series"]],Na={OK:"Done",FAILED:"Failed",PARTIAL:"Partly done",RUNNING:"Running",NEEDS_APPROVAL:"Waiting for your administrator",REJECTED:"Rejected by your administrator",APPROVED:"Approved"};function Pa(){const{api:n}=L(),t=G(()=>n.myLinks(),[]),r=Sa(window.location.search);return e(C,{children:[e(H,{title:"Your sync",intro:"How the sync of your CRM and your mailbox is doing, and what you can do about it."}),r&&e(U,{kind:r.ok?"success":"warning",children:r.text}),t.loading&&!t.data&&e(j,{label:"Loading your sync…"}),e(oe,{error:t.error,what:"your sync",onRetry:t.reload}),t.data&&t.data.myLinks.length===0&&e(ue,{title:"No mailbox is linked to your account",children:e("p",{children:"Your administrator has not linked your CRM user to a mailbox yet, or has removed the link. Ask them to link you; then open the invitation they send."})}),t.data?.myLinks.map(s=>e(La,{link:s,onChange:t.reload},`${s.profileId}/${s.userId}`))]})}function La(n){const{api:t}=L(),r=n.link,s=va(r),[i,a]=y(""),[o,l]=y(null),[u,c]=y(""),h=`link-${r.profileId}-${r.userId}`.replace(/[^A-Za-z0-9_-]/g,"_"),b=async()=>{a("auth"),l(null);try{const f=await t.beginMyMailboxSignIn({profileId:r.profileId});window.location.assign(f.beginMyMailboxSignIn.url)}catch(f){l(Y(f)),a("")}},d=async()=>{a("sync"),l(null),c("");try{await t.syncMyMailboxNow({profileId:r.profileId}),c("Your sync is queued and starts in a moment."),n.onChange()}catch(f){l(Y(f))}finally{a("")}};return e("section",{class:"card","aria-labelledby":h,children:[e("h2",{id:h,children:r.profileName}),e("dl",{class:"facts",children:[e("dt",{children:"CRM"}),e("dd",{children:r.crm.name||r.crm.email||r.crm.id}),e("dt",{children:"Mailbox"}),e("dd",{children:r.mailbox.email||r.mailbox.id}),e("dt",{children:"State"}),e("dd",{class:s.tone==="ok"?void 0:"text-warn",children:[e("strong",{children:s.title}),r.status?.lastOk&&s.tone==="ok"?` (last success ${E(r.status.lastOk)})`:""]}),(r.status?.breakerReason||r.status?.lastError)&&e(C,{children:[e("dt",{children:"Error"}),e("dd",{class:"wrap",children:[Q(r.status?.lastError||r.status?.breakerReason||"")," ",r.status?.lastErrorAt&&e("span",{class:"muted",children:["(",E(r.status.lastErrorAt),")"]})]})]}),s.next&&e(C,{children:[e("dt",{children:"What to do"}),e("dd",{children:s.next})]}),r.status?.nextRun&&e(C,{children:[e("dt",{children:"Next sync"}),e("dd",{children:E(r.status.nextRun)})]}),r.openConflicts>0&&e(C,{children:[e("dt",{children:"Conflicts"}),e("dd",{children:[r.openConflicts," item",r.openConflicts===1?" was":"s were"," changed in both places; your administrator reviews them."]})]})]}),e(N,{error:o,title:"That did not work"}),u&&e(U,{kind:"success",children:u}),e("div",{class:"card-actions portal-actions",children:[r.mailboxSignIn&&e(I,{variant:r.mailboxAuthorized?"secondary":"primary",busy:i==="auth",busyLabel:"Opening Microsoft sign-in…",onClick:b,children:r.mailboxAuthorized?"Authorize my mailbox again":"Authorize my mailbox"}),e(I,{busy:i==="sync",busyLabel:"Queuing…",onClick:d,children:"Sync now"})]}),e(Ma,{link:r,id:h}),e(Oa,{link:r,id:h}),e(Da,{link:r,id:h,onSaved:n.onChange})]})}function Ma(n){const t=n.link.recentRuns;return e(C,{children:[e("h3",{id:`${n.id}-runs`,children:"Recent syncs"}),t.length===0?e("p",{class:"muted",children:"No sync has run yet."}):e("div",{class:"table-wrap",children:e("table",{"aria-labelledby":`${n.id}-runs`,children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Started"}),e("th",{scope:"col",children:"What"}),e("th",{scope:"col",children:"Outcome"}),e("th",{scope:"col",children:"Changes"})]})}),e("tbody",{children:t.map(r=>e("tr",{children:[e("td",{children:E(r.start)}),e("td",{children:ae[r.kind]??r.kind}),e("td",{class:r.error?"wrap text-warn":void 0,children:[Na[r.status]??r.status,r.error?`: ${Q(r.error)}`:""]}),e("td",{children:[r.counts.created," created, ",r.counts.updated," updated, ",r.counts.deleted," deleted",r.counts.errors>0?`, ${r.counts.errors} failed`:""]})]},r.id))})]})})]})}function Oa(n){const t=n.link.quarantine;return t.length===0?null:e(C,{children:[e("h3",{children:"Items that cannot be synced"}),e("ul",{class:"checklist",children:t.map(r=>e("li",{children:[ae[r.kind]??r.kind," in your ",r.side==="CRM"?"CRM":"mailbox"," (",e("code",{children:r.itemId}),")",r.field?`, field ${r.field}`:"",": ",Q(r.reason)]},`${r.side}/${r.itemId}`))})]})}function Da(n){const{api:t}=L(),r=n.link,[s,i]=y(()=>ka(r)),[a,o]=y({}),[l,u]=y(null),[c,h]=y(!1),[b,d]=y(!1),f=re(null),p=r.userMay,g=s.filters??{...r.defaults.filters},w=async S=>{S.preventDefault();const{input:T,errors:R}=_a(r,s);if(o(R),u(null),d(!1),!(Object.keys(R).length>0)){h(!0);try{await t.setMyPreferences({profileId:r.profileId,overrides:T}),d(!0),n.onSaved()}catch(q){const{fields:K,general:ie}=he(q,["daysBack","daysAhead","filters","directions"]);o(K),u(ie)}finally{h(!1)}}},v=`${n.id}-prefs`,_=!p.directions&&!p.filters&&!p.window;return e("form",{ref:f,onSubmit:w,noValidate:!0,"aria-labelledby":v,children:[e("h3",{id:v,children:"Your preferences"}),_&&e("p",{class:"muted",children:"Your administrator decides every setting of this profile; the fields below show them."}),e(N,{error:l,title:"Your preferences were not saved"}),b&&e(U,{kind:"success",children:"Your preferences are saved; the next sync uses them."}),e("fieldset",{disabled:!p.window,children:[e("legend",{children:"Dates to sync"}),!p.window&&e("p",{class:"hint",children:St}),e(Cn,{id:`${v}-back`,label:"Days back",value:s.daysBack,profile:r.defaults.daysBack,error:a.daysBack,onInput:S=>i({...s,daysBack:S})}),e(Cn,{id:`${v}-ahead`,label:"Days ahead",value:s.daysAhead,profile:r.defaults.daysAhead,error:a.daysAhead,onInput:S=>i({...s,daysAhead:S})})]}),e("fieldset",{disabled:!p.filters,children:[e("legend",{children:"What to leave out"}),!p.filters&&e("p",{class:"hint",children:St}),a.filters&&e("p",{class:"field-error",children:a.filters}),Ea.map(([S,T])=>e("div",{class:"check",children:[e("input",{id:`${v}-${S}`,type:"checkbox",checked:g[S],onChange:R=>i({...s,filters:{...g,[S]:R.currentTarget.checked}})}),e("label",{for:`${v}-${S}`,children:T})]},S))]}),r.defaults.directions.length>0&&e("fieldset",{disabled:!p.directions,children:[e("legend",{children:"Directions"}),!p.directions&&e("p",{class:"hint",children:St}),a.directions&&e("p",{class:"field-error",children:a.directions}),r.defaults.directions.map(S=>e("div",{class:"field",children:[e("label",{for:`${v}-dir-${S.kind}`,children:ae[S.kind]??S.kind}),e("select",{id:`${v}-dir-${S.kind}`,value:s.directions[S.kind]??"",onChange:T=>i({...s,directions:{...s.directions,[S.kind]:T.currentTarget.value}}),children:[e("option",{value:"",children:["The profile’s setting (",(Sn[S.direction]??S.direction).toLowerCase(),")"]}),S.direction!=="OFF"&&e("option",{value:S.direction,children:Sn[S.direction]}),e("option",{value:"OFF",children:"Off"})]})]},S.kind))]}),!_&&e(I,{type:"submit",variant:"primary",busy:c,busyLabel:"Saving…",children:"Save my preferences"})]})}function Cn(n){const t=`${n.id}-hint`,r=`${n.id}-err`;return e("div",{class:`field${n.error?" field-invalid":""}`,children:[e("label",{for:n.id,children:n.label}),e("p",{id:t,class:"hint",children:["Empty: the profile’s setting (",n.profile," days)."]}),e("input",{id:n.id,type:"text",inputMode:"numeric",value:n.value,placeholder:String(n.profile),"aria-invalid":n.error?"true":void 0,"aria-describedby":n.error?`${r} ${t}`:t,onInput:s=>n.onInput(s.currentTarget.value)}),n.error&&e("p",{id:r,class:"field-error",children:n.error})]})}function Ua(n){const{api:t,signedIn:r,viewer:s}=L(),[i,a]=y(!1),[o,l]=y(null),u=async()=>{a(!0),l(null);try{const c=await t.acceptPortalInvitation({token:n.token});r(c.acceptPortalInvitation.account),pe("/portal",{replace:!0})}catch(c){l(Y(c)),a(!1)}};return e("div",{class:"auth-layout",children:e("main",{id:"main",class:"auth-card",children:[e("p",{class:"brand","aria-hidden":"true",children:[e("span",{class:"brand-mark"})," Synchronizer"]}),e(H,{title:"Your invitation",intro:"Your administrator invited you to see how the sync of your CRM and your mailbox is doing, and to authorize your mailbox."}),s&&e(U,{kind:"warning",children:["You are signed in as ",s.email,". Continuing signs you in as the invited user instead."]}),e(N,{error:o,title:"The invitation could not be used",hints:{NOT_FOUND:"Ask your administrator to send you a new invitation.",CONFLICT:"Sign in with your e-mail address and password instead."}}),e("p",{children:"The link works once and for 7 days. You need no password; you can set one later under Your account."}),e(I,{variant:"primary",class:"btn-block",busy:i,busyLabel:"Signing you in…",onClick:u,children:"Continue to my portal"})]})})}const Fa=["host","port","security","username","password","from","fromName"],qa=[["STARTTLS","STARTTLS (usually port 587)"],["TLS","TLS from the start (usually port 465)"],["NONE","None (only for a relay on this machine)"]];function $n(n){return n==="TLS"?"465":n==="STARTTLS"?"587":"25"}function dr(n){return n?{host:n.host,port:String(n.port),security:n.security,username:n.username,password:"",passwordSet:n.passwordSet,clearPassword:!1,from:n.from,fromName:n.fromName}:{host:"",port:"587",security:"STARTTLS",username:"",password:"",passwordSet:!1,clearPassword:!1,from:"",fromName:"Synchronizer"}}function Ba(n,t){const r=n.port.trim()===""||n.port.trim()===$n(n.security)?$n(t):n.port;return{...n,security:t,port:r}}const Wa=/^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;function ur(n){return Wa.test(n.trim())}function Ha(n){const t={},r=n.host.trim();r?(/^[a-z]+:\/\//i.test(r)||/[\s/]/.test(r))&&(t.host="Enter only the host name, without https:// or a path."):t.host="Enter the SMTP server's host name, like smtp.example.com.";const s=Number(n.port.trim());(!/^\d+$/.test(n.port.trim())||s<1||s>65535)&&(t.port="Enter a port between 1 and 65535 (587 for STARTTLS, 465 for TLS).");const i=n.password!==""||n.passwordSet&&!n.clearPassword;return!n.username.trim()&&n.password!==""?t.username="Enter the user name that goes with the password.":!n.username.trim()&&i&&(t.username="Enter the user name, or remove the saved password."),n.security==="NONE"&&n.username.trim()&&!["localhost","127.0.0.1","::1"].includes(r)&&(t.security="A password is only sent over TLS: choose STARTTLS or TLS (None is for a relay on this machine)."),n.from.trim()?ur(n.from)||(t.from="Write the sender as an address only, like sync@example.com."):t.from="Enter the address the mails come from, like sync@example.com.",/[\r\n]/.test(n.fromName)&&(t.fromName="The sender name must be on one line."),t}function ja(n){const t={host:n.host.trim(),port:Number(n.port.trim()),security:n.security,username:n.username.trim(),from:n.from.trim(),fromName:n.fromName.trim()};return n.password!==""?t.password=n.password:n.clearPassword&&(t.password=""),t}function Ya(n){return n.password!==""?n.passwordSet?"The new password replaces the saved one when you save.":"The password is saved when you save.":n.passwordSet&&n.clearPassword?"The saved password is removed when you save.":n.passwordSet?"A password is set. It is never shown; leave the field empty to keep it, or type a new one.":"No password is set. Leave it empty if the server needs none."}function za(n){return n.trim()?ur(n)?"":"Enter one address, like you@example.com.":"Enter the address to send the test mail to."}function Va(){const{api:n}=L(),t=G(()=>n.smtpSettings()),[r,s]=y(null),i=r??!!t.data?.smtpSettings;return e(C,{children:[e(H,{title:"Settings",intro:"How this appliance sends e-mail (test mails and sign-in invitations for Microsoft 365 mailboxes), serves HTTPS, and is backed up."}),t.loading&&e(j,{label:"Loading the e-mail settings…"}),e(N,{error:t.error,title:"Could not load the e-mail settings",onRetry:t.reload}),t.data&&e(C,{children:[e(Ga,{initial:dr(t.data.smtpSettings),onSaved:()=>s(!0)}),e(Ka,{configured:i})]}),e(Xs,{}),e(Zs,{})]})}function Ga(n){const{api:t}=L(),[r,s]=y(n.initial),[i,a]=y({}),[o,l]=y(null),[u,c]=y(!1),[h,b]=y(!1),d=re(null),f=g=>{s(w=>({...w,...g})),b(!1)},p=async g=>{g.preventDefault();const w=Ha(r);if(a(w),l(null),b(!1),Object.keys(w).length){se(d.current);return}c(!0);try{const v=await t.saveSmtpSettings({input:ja(r)});s(dr(v.saveSmtpSettings)),b(!0),n.onSaved()}catch(v){const _=he(v,[...Fa]);a(_.fields),l(_.general),se(d.current)}finally{c(!1)}};return e("section",{class:"card","aria-labelledby":"smtp-h",children:[e("h2",{id:"smtp-h",children:"Outgoing e-mail (SMTP)"}),!n.initial.host&&!h&&e("p",{class:"muted",children:"No SMTP settings are saved yet."}),e("p",{class:"muted",children:"The appliance sends few mails: a test mail and, from a user's page, the Microsoft sign-in invitation of a delegated mailbox."}),h&&e(U,{kind:"success",children:"The SMTP settings are saved."}),e("form",{ref:d,onSubmit:p,noValidate:!0,class:"narrow",children:[e(N,{error:o,title:"The settings were not saved"}),e(x,{label:"SMTP server",name:"host",value:r.host,onInput:g=>f({host:g}),required:!0,error:i.host,hint:"The host name, like smtp.office365.com.",autoComplete:"off"}),e(Ce,{label:"Security",value:r.security,options:qa,onChange:g=>{s(w=>Ba(w,g)),b(!1)},error:i.security}),e(x,{label:"Port",name:"port",value:r.port,onInput:g=>f({port:g}),required:!0,inputMode:"numeric",error:i.port}),e(x,{label:"User name",name:"username",value:r.username,onInput:g=>f({username:g}),error:i.username,hint:"Leave empty if the server needs no sign-in.",autoComplete:"off"}),e(x,{label:"Password",name:"password",type:"password",value:r.password,onInput:g=>f({password:g}),error:i.password,hint:Ya(r),autoComplete:"new-password"}),r.passwordSet&&!r.password&&e(_e,{label:"Remove the saved password",checked:r.clearPassword,onChange:g=>f({clearPassword:g})}),e(x,{label:"Sender address",name:"from",type:"email",inputMode:"email",value:r.from,onInput:g=>f({from:g}),required:!0,error:i.from,hint:"The address the mails come from, like sync@example.com.",autoComplete:"off"}),e(x,{label:"Sender name",name:"fromName",value:r.fromName,onInput:g=>f({fromName:g}),error:i.fromName,autoComplete:"off"}),e(I,{type:"submit",variant:"primary",busy:u,busyLabel:"Saving…",children:"Save e-mail settings"})]})]})}function Ka(n){const{api:t,viewer:r}=L(),[s,i]=y(r?.email??""),[a,o]=y(""),[l,u]=y(null),[c,h]=y(!1),[b,d]=y(null),f=re(null),p=async g=>{g.preventDefault();const w=za(s);if(o(w),u(null),d(null),w){se(f.current);return}h(!0);try{const v=await t.sendTestMail({to:s.trim()});d(v.sendTestMail)}catch(v){const _=he(v,["to"]);o(_.fields.to??""),u(_.general??(_.fields.to?null:Y(v))),se(f.current)}finally{h(!1)}};return e("section",{class:"card","aria-labelledby":"test-h",children:[e("h2",{id:"test-h",children:"Send a test mail"}),!n.configured&&e("p",{class:"muted",children:"Save the SMTP settings first; the test mail uses the saved settings."}),b&&(b.sent?e(U,{kind:"success",children:b.message}):e(U,{kind:"warning",children:b.message})),e("form",{ref:f,onSubmit:p,noValidate:!0,class:"narrow",children:[e(N,{error:l,title:"The test mail was not sent"}),e(x,{label:"Send to",name:"to",type:"email",inputMode:"email",value:s,onInput:i,required:!0,error:a,autoComplete:"email"}),e(I,{type:"submit",busy:c,busyLabel:"Sending…",disabled:!n.configured,children:"Send a test mail"})]})]})}function xn(n){return e("ul",{children:n.areas.map(t=>e("li",{children:e(O,{href:t.path,class:`nav-link${n.current===t.path?" active":""}`,"aria-current":n.current===t.path?"page":void 0,onClick:n.onNavigate,children:t.label})},t.path))})}function Ne(n){const{viewer:t,signOut:r,version:s}=L(),[i,a]=y(!1),[o,l]=y(!1),[u,c]=y(null),h=Ie(n.path),b=Wi(t),d=b.filter(p=>p.group==="sync"),f=b.filter(p=>p.group==="system");return ee(()=>a(!1),[h]),e("div",{class:"shell",children:[e("a",{class:"skip-link",href:"#main",children:"Skip to content"}),e("header",{class:"topbar",children:[e("button",{type:"button",class:"btn btn-ghost menu-toggle","aria-expanded":i?"true":"false","aria-controls":"sidenav",onClick:()=>a(!i),children:i?"Close menu":"Menu"}),e(O,{href:"/",class:"brand",children:[e("span",{class:"brand-mark","aria-hidden":"true"})," Synchronizer"]}),e("div",{class:"topbar-right",children:[t&&e("span",{class:"who",children:[e("span",{class:"who-name",children:t.name||t.email}),e("span",{class:"badge",children:ne(t)?"Admin":"User"})]}),e(I,{variant:"ghost",busy:o,busyLabel:"Signing out…",onClick:async()=>{l(!0),c(null);try{await r()}catch(p){c(Y(p))}finally{l(!1)}},children:"Sign out"})]})]}),e("div",{class:"layout",children:[e("nav",{id:"sidenav",class:`sidenav${i?" open":""}`,"aria-label":"Main",children:[e("p",{class:"nav-group",id:"nav-sync",children:"Synchronization"}),e(xn,{areas:d,current:h,onNavigate:()=>a(!1)}),e("p",{class:"nav-group",id:"nav-system",children:"System"}),e(xn,{areas:f,current:h,onNavigate:()=>a(!1)}),e("p",{class:"nav-version",children:["Version ",s||"unknown"]})]}),e("main",{id:"main",class:"content",tabIndex:-1,children:[e(N,{error:u,title:"You are still signed in"}),n.children]})]})]})}const Xe=20,Qa={RUNNING:"running",OK:"ok",FAILED:"failed",PARTIAL:"partly done",NEEDS_APPROVAL:"waits for approval",REJECTED:"rejected",APPROVED:"approved"};function Ht(n){return n==="CRM"?"CRM":"mailbox"}function Ja(n){const t=n.counts,r=[t.created&&`${t.created} created`,t.updated&&`${t.updated} updated`,t.deleted&&`${t.deleted} deleted`,t.conflicts&&`${t.conflicts} conflicts`,t.quarantined&&`${t.quarantined} quarantined`,t.errors&&`${t.errors} errors`].filter(Boolean);return r.length?r.join(", "):`no changes (${t.listed} items checked)`}function Xa(n){const{api:t}=L(),{profileId:r,userId:s}=n,i=G(()=>t.syncProfiles(),[r,s]),a=ft(),o=i.data?.syncProfiles.find(h=>h.id===r),l=o?.users.find(h=>h.id===s),u=l?.crm.name||s,c=l?Wt(l):null;return e(C,{children:[e("p",{class:"breadcrumb",children:[e(O,{href:"/users",children:"Users"})," ",e("span",{"aria-hidden":"true",children:"›"})," ",o?.name??r]}),e(H,{title:u,intro:l?`${l.crm.email||"no CRM e-mail"} ⇄ ${l.mailbox.email||"no mailbox e-mail"}`:void 0,actions:l&&e(C,{children:[e(I,{variant:"primary",busy:a.busy==="now",busyLabel:"Queuing…",onClick:()=>a.run("now",()=>t.syncNow({profileId:r,userId:s}),`${u} is queued to sync now.`,i.reload),children:"Sync now"}),l.status?.paused?e(I,{busy:a.busy==="resume",busyLabel:"Resuming…",onClick:()=>a.run("resume",()=>t.resumeSync({profileId:r,userId:s}),`${u} syncs again.`,i.reload),children:"Resume"}):e(I,{busy:a.busy==="pause",busyLabel:"Pausing…",onClick:()=>a.run("pause",()=>t.pauseSync({profileId:r,userId:s}),`${u} is paused; changes wait until you resume.`,i.reload),children:"Pause"})]})}),i.loading&&!i.data&&e(j,{label:"Loading the user…"}),e(oe,{error:i.error,what:"the user",onRetry:i.reload}),e(N,{error:a.error,title:"The command did not run"}),a.done&&e(U,{kind:"success",children:a.done}),i.data&&!l&&e(ue,{title:"No such linked user",children:e("p",{children:["There is no user “",s,"” in the profile “",r,"”. They may have been unlinked. ",e(O,{href:"/users",children:"See all users"}),"."]})}),l&&c&&e("section",{class:"card","aria-labelledby":"state-h",children:[e("h2",{id:"state-h",children:"State"}),e("dl",{class:"facts",children:[e("dt",{children:"Now"}),e("dd",{class:c.warn?"text-warn":void 0,children:[c.text,c.at?` (as of ${E(c.at)})`:""]}),e("dt",{children:"Last run"}),e("dd",{children:E(l.status?.lastRun)}),e("dt",{children:"Next run"}),e("dd",{children:E(l.status?.nextRun)}),l.status?.lastError&&e(C,{children:[e("dt",{children:"Last error"}),e("dd",{class:"wrap",children:[Q(l.status.lastError)," ",e("span",{class:"muted",children:["(",E(l.status.lastErrorAt),")"]})]})]})]})]}),l&&o&&o.mailbox.type==="msgraph"&&e(ta,{profileId:r,userId:s}),l&&o&&e(Za,{profileId:r,userId:s,email:l.mailbox.email}),l&&e(js,{profileId:r,userId:s}),l&&e(eo,{profileId:r,userId:s}),l&&e(no,{profileId:r,userId:s}),l&&e(ro,{profileId:r,userId:s})]})}function Za(n){const{api:t}=L(),[r,s]=y(""),[i,a]=y(null),[o,l]=y(null),[u,c]=y(null),h=async()=>{s("mail"),a(null),l(null),c(null);try{const d=await t.inviteMailboxUser({profileId:n.profileId,userId:n.userId});l(d.inviteMailboxUser)}catch(d){a(Y(d))}finally{s("")}},b=async()=>{s("link"),a(null),l(null);try{const d=await t.createPortalInvitation({profileId:n.profileId,userId:n.userId});c(d.createPortalInvitation)}catch(d){a(Y(d))}finally{s("")}};return e("section",{class:"card","aria-labelledby":"invite-h",children:[e("h2",{id:"invite-h",children:"Portal invitation"}),e("p",{children:["The user's own portal shows them how their sync is doing and lets them authorize their mailbox themselves. An invitation link signs"," ",n.email?e("strong",{children:n.email}):"the user"," in once, without a password, and is valid for 7 days; a new invitation replaces the previous one. E-mailing it uses the settings under ",e(O,{href:"/settings",children:"Settings"}),"."]}),o&&e(U,{kind:o.sent?"success":"warning",children:o.message}),u&&e("div",{class:"alert alert-success",role:"status",children:[e("p",{class:"alert-title",children:["Invitation link (shown once, valid until ",E(u.expiresAt),")"]}),e("p",{children:e("code",{class:"wrap","data-testid":"portal-invitation-link",children:u.link})}),e(qt,{text:u.link,label:"Copy the link"})]}),e(N,{error:i,title:"No invitation was made"}),e("div",{class:"card-actions",children:[e(I,{busy:r==="mail",busyLabel:"Sending the invitation…",onClick:h,disabled:r!=="",children:"E-mail a sign-in invitation"}),e(I,{busy:r==="link",busyLabel:"Creating the link…",onClick:b,disabled:r!=="",children:"Create an invitation link"})]})]})}function eo(n){const{api:t}=L(),[r,s]=y([]),[i,a]=y(!1),[o,l]=y(!1),[u,c]=y(null),h=G(async()=>{const w=await t.userRuns({profileId:n.profileId,userId:n.userId,first:Xe});return s(w.syncRuns),a(w.syncRuns.length===Xe),w},[n.profileId,n.userId]),[b,d]=y(null),[f,p]=y(""),g=async()=>{const w=r.at(-1);if(w){l(!0),c(null);try{const v=await t.userRuns({profileId:n.profileId,userId:n.userId,first:Xe,before:w.id});s([...r,...v.syncRuns]),a(v.syncRuns.length===Xe)}catch(v){c(Y(v))}finally{l(!1)}}};return e("section",{class:"card","aria-labelledby":"runs-h",children:[e("div",{class:"card-head",children:[e("h2",{id:"runs-h",children:"Runs"}),e("div",{class:"card-actions",children:e(I,{onClick:h.reload,busy:h.loading&&!!h.data,busyLabel:"Refreshing…",children:"Refresh runs"})})]}),h.loading&&!h.data&&e(j,{label:"Loading runs…"}),e(oe,{error:h.error,what:"the runs",onRetry:h.reload}),f&&e(U,{kind:"success",children:f}),h.data&&r.length===0&&e("p",{children:"No run yet: the first one starts soon after the user is linked."}),r.length>0&&e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Runs of this user",children:e("table",{class:"runs",children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",class:"col-when",children:"Started"}),e("th",{scope:"col",class:"col-kind",children:"Kind"}),e("th",{scope:"col",class:"col-why",children:"Why"}),e("th",{scope:"col",class:"col-outcome",children:"Outcome"}),e("th",{scope:"col",children:"What it did"}),e("th",{scope:"col",class:"col-actions",children:e("span",{class:"sr-only",children:"Actions"})})]})}),e("tbody",{children:r.map(w=>e("tr",{class:w.status==="FAILED"||w.status==="PARTIAL"?"row-warn":void 0,children:[e("td",{class:"when",children:E(w.start)}),e("td",{children:ae[w.kind]??w.kind}),e("td",{children:w.trigger}),e("td",{children:[Qa[w.status]??w.status,w.error&&e("div",{class:"wrap muted",children:Q(w.error)}),w.undoneBy&&e("div",{class:"muted",children:"undone"}),w.undoOf&&e("div",{class:"muted",children:"an undo"})]}),e("td",{children:[Ja(w),w.operations.length>0&&e("details",{children:[e("summary",{children:[w.operations.length," ",w.operations.length===1?"write":"writes",e("span",{class:"sr-only",children:[" of the run started ",E(w.start)]})]}),e("ol",{class:"ops",children:w.operations.map(v=>e("li",{children:[v.action," in the ",Ht(v.side)," ",e("span",{class:"code-name inline",children:v.itemId})]},v.seq))})]})]}),e("td",{class:"actions",children:w.operations.length>0&&!w.undoneBy&&w.status!=="RUNNING"&&e(I,{variant:"ghost","aria-label":`Undo the run started ${E(w.start)}`,onClick:()=>d(w),children:"Undo…"})})]},w.id))})]})}),e(N,{error:u,title:"Could not load older runs",onRetry:g}),i&&e("p",{children:e(I,{onClick:g,busy:o,busyLabel:"Loading older runs…",children:"Show older runs"})}),e(Oe,{open:b!==null,title:"Undo this run?",confirmLabel:"Undo run",busyLabel:"Undoing…",onClose:()=>d(null),onConfirm:async()=>{if(!b)return;const v=(await t.undoRun({id:b.id})).undoSyncRun;p(v.status==="PARTIAL"?"Undone in part: items changed since that run were left alone. The undo run is listed first.":"Undone: every write of that run was reversed. The undo run is listed first and can itself be undone."),h.reload()},children:e("p",{children:["The ",b?.operations.length," writes of the run started ",E(b?.start)," are reversed, newest first. Items changed since then are left alone."]})})]})}const to={created:"copied (created)",updated:"copied (updated)",deleted:"deleted",unchanged:"unchanged",echo:"our own change coming back","outside-window":"outside the date window",filtered:"left out by a filter",policy:"decided by the conflict policy",conflict:"conflict",guard:"held by the mass-change guard",error:"error",quarantined:"quarantined","direction-off":"direction is off",linked:"linked"};function no(n){const{api:t}=L(),[r,s]=y(""),[i,a]=y(""),[o,l]=y(!1),[u,c]=y(null),[h,b]=y(""),[d,f]=y(null),p=async v=>{v.preventDefault();const _=r.trim();if(!_){b("Enter the id of the item, as the CRM or the mailbox shows it.");return}b(""),l(!0),c(null);try{const S=await t.trace({itemId:_});f(S.syncTrace),a(_)}catch(S){c(Y(S))}finally{l(!1)}},g=d?.filter(v=>v.userId===n.userId&&v.profileId===n.profileId)??[],w=(d?.length??0)-g.length;return e("section",{class:"card","aria-labelledby":"trace-h",children:[e("h2",{id:"trace-h",children:"Why is this item not synced?"}),e("p",{class:"muted",children:"Give the item's id on either side (an appointment id in the CRM, an event id in the mailbox) to see every decision the engine made about it."}),e("form",{class:"trace-form",onSubmit:p,noValidate:!0,children:[e("div",{class:`field${h?" field-invalid":""}`,children:[e("label",{for:"trace-item",children:"Item id"}),e("input",{id:"trace-item",value:r,onInput:v=>s(v.target.value),"aria-invalid":h?"true":void 0,"aria-describedby":h?"trace-item-error":void 0,autocomplete:"off",spellcheck:!1}),h&&e("p",{class:"field-error",id:"trace-item-error",children:h})]}),e("div",{class:"form-actions",children:e(I,{type:"submit",busy:o,busyLabel:"Searching…",children:"Show decisions"})})]}),e(N,{error:u,title:"Could not load the trace"}),d&&g.length===0&&e("p",{role:"status",children:["No decision about “",i,"” for this user."," ",w>0?`${w} decisions concern other users: check the id belongs to this user.`:"The engine has not seen it: check the id, and that the item lies within the profile’s date window and a synced kind."]}),g.length>0&&e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":`Decisions about ${i}`,children:e("table",{children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"When"}),e("th",{scope:"col",children:"Side"}),e("th",{scope:"col",children:"Decision"}),e("th",{scope:"col",children:"Why"})]})}),e("tbody",{children:g.map((v,_)=>e("tr",{class:v.decision==="error"||v.decision==="quarantined"?"row-warn":void 0,children:[e("td",{class:"when",children:E(v.at)}),e("td",{children:Ht(v.side)}),e("td",{children:to[v.decision]??v.decision}),e("td",{class:"wrap",children:v.reason?Q(v.reason):"—"})]},_))})]})})]})}function ro(n){const{api:t}=L(),r=G(()=>t.quarantine({profileId:n.profileId}),[n.profileId]),s=ft(),i=(r.data?.syncQuarantine??[]).filter(a=>a.userId===n.userId);return e("section",{class:"card","aria-labelledby":"quar-h",children:[e("h2",{id:"quar-h",children:"Quarantined items"}),e("p",{class:"muted",children:"Items the engine could not read or write. They are skipped until they change; release one after fixing it to have it read again."}),r.loading&&!r.data&&e(j,{label:"Loading quarantined items…"}),e(oe,{error:r.error,what:"the quarantined items",onRetry:r.reload}),e(N,{error:s.error,title:"The item was not released"}),s.done&&e(U,{kind:"success",children:s.done}),r.data&&i.length===0&&e("p",{children:"None: every item of this user could be synced."}),i.length>0&&e("div",{class:"table-wrap",tabIndex:0,role:"region","aria-label":"Quarantined items of this user",children:e("table",{children:[e("thead",{children:e("tr",{children:[e("th",{scope:"col",children:"Item"}),e("th",{scope:"col",children:"Field"}),e("th",{scope:"col",children:"Reason"}),e("th",{scope:"col",children:"Since"}),e("th",{scope:"col",children:e("span",{class:"sr-only",children:"Actions"})})]})}),e("tbody",{children:i.map(a=>{const o=`${a.side}/${a.itemId}`;return e("tr",{children:[e("td",{children:[ae[a.kind]??a.kind," in the ",Ht(a.side)," ",e("span",{class:"code-name",children:a.itemId})]}),e("td",{children:a.field||"—"}),e("td",{class:"wrap",children:Q(a.reason)}),e("td",{class:"when",children:E(a.at)}),e("td",{class:"actions",children:e(I,{variant:"ghost",busy:s.busy===o,busyLabel:"Releasing…","aria-label":`Release ${a.itemId}`,onClick:()=>s.run(o,()=>t.releaseQuarantine({input:{profileId:a.profileId,userId:a.userId,kind:a.kind,side:a.side,itemId:a.itemId}}),`Released ${a.itemId}: the next run reads it again.`,r.reload),children:"Release"})})]},o)})})]})})]})}function io(n){const{api:t}=n,r=Ui(),[s,i]=y(null),[a,o]=y(null),[l,u]=y(!1),c=re(null);c.current=s?.viewer??null;const h=async()=>{u(!0);try{const p=await t.boot();i({state:p.systemStatus.state,version:p.systemStatus.version,viewer:p.me}),o(null)}catch(p){o(Y(p))}finally{u(!1)}};ee(()=>{t.client.onUnauthenticated=()=>{if(!c.current)return;i(g=>g&&{...g,viewer:null});const p=window.location.pathname+window.location.search;pe(`/login?reason=expired&next=${encodeURIComponent(p)}`,{replace:!0})},h()},[]);const b=s?qi(s.state,s.viewer,r.pathname,r.search):null;ee(()=>{b?.redirect&&pe(b.redirect,{replace:!0})},[b?.redirect]);const d=ze(()=>s?{api:t,state:s.state,version:s.version,viewer:s.viewer,signedIn:p=>{i(w=>w&&{...w,state:"OK",viewer:p});const g=Ie(window.location.pathname);if(g==="/invite"||g==="/setup")pe("/",{replace:!0});else if(g==="/login"){const w=Nt(new URLSearchParams(window.location.search).get("next"));pe(ne(p)||w.startsWith("/account")?w:"/portal",{replace:!0})}},signOut:async()=>{await t.logout(),i(p=>p&&{...p,viewer:null}),pe("/login?reason=signed-out",{replace:!0})}}:null,[t,s]);if(!s||!d)return e("div",{class:"auth-layout",children:e("main",{id:"main",class:"auth-card",children:a?e("div",{class:"alert alert-error",role:"alert",children:[e("h1",{class:"alert-title",children:"Synchronizer is not answering"}),e("p",{children:a.message}),e("p",{class:"alert-hint",children:a.hint}),e(I,{variant:"primary",onClick:h,busy:l,busyLabel:"Trying again…",children:"Try again"})]}):e(j,{label:"Loading Synchronizer…"})})});let f;return b?.redirect?f=e("div",{class:"auth-layout",children:e("main",{id:"main",class:"auth-card",children:e(j,{label:"Opening…"})})}):f=e(so,{path:Ie(r.pathname),viewer:s.viewer}),e(Yn.Provider,{value:d,children:f})}function so(n){const{path:t,viewer:r}=n;if(t==="/setup")return e(Ta,{});if(t==="/login")return e(Ra,{});if(t==="/invite")return e(Aa,{});const s=zn(t);if(s)return e(Ua,{token:s});if(t==="/portal")return e(Ne,{path:"/portal",children:e(Pa,{})});const i=Hi(t);if(i)return e(Ne,{path:"/users",children:ne(r)?e(Xa,{profileId:i.profileId,userId:i.userId}):e(Ue,{title:"Users"})});const a=/^\/profiles\/([^/]+)\/(edit|checks)$/.exec(t);if(a){let c=a[1];try{c=decodeURIComponent(c)}catch{}const h=a[2]==="edit"?e(wn,{editId:c},`edit-${c}`):e(kn,{profileId:c});return e(Ne,{path:a[2]==="edit"?"/profiles":"/checks",children:ne(r)?h:e(Ue,{title:"Profiles"})})}const o=/^\/profiles\/([^/]+)$/.exec(t);if(o&&t!=="/profiles/new"){let c="";try{c=decodeURIComponent(o[1])}catch{c=o[1]}return e(Ne,{path:"/profiles",children:ne(r)?e(vn,{only:c,search:window.location.search}):e(Ue,{title:"Profiles"})})}if(t==="/profiles/new")return e(Ne,{path:"/profiles",children:ne(r)?e(wn,{},"new"):e(Ue,{title:"Profiles"})});const l=Bi(t);let u;return l?.adminOnly&&!ne(r)?u=e(Ue,{title:l.label}):t==="/"?u=e(Ji,{}):t==="/admins"?u=e(ji,{}):t==="/audit"?u=e(Zi,{}):t==="/account"?u=e(Ki,{}):t==="/profiles"?u=e(vn,{}):t==="/users"?u=e(ua,{}):t==="/conflicts"?u=e(fa,{}):t==="/approvals"?u=e(pa,{}):t==="/governor"?u=e(ga,{}):t==="/settings"?u=e(Va,{}):t==="/checks"?u=e(kn,{}):Gn[t]?u=e(Xi,{path:t}):u=e(Kn,{}),e(Ne,{path:t,children:u})}const Tn=document.getElementById("app");Tn&&Sr(e(io,{api:new Ti(new Lr)}),Tn);
